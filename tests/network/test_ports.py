"""Network ports: what a domain's interface claims on a network, created and read back through the API."""

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import network as nethelp
from avocado_cert.testing.network import NetworkSpec

IN_AVERAGE = libvirt.VIR_NETWORK_PORT_BANDWIDTH_IN_AVERAGE
OUT_AVERAGE = libvirt.VIR_NETWORK_PORT_BANDWIDTH_OUT_AVERAGE


class NetworkPorts(CertTest):
    """
    :avocado: tags=area:network,cap:network.ports
    """

    def setUp(self):
        super().setUp()
        self.spec = NetworkSpec()
        self.net = self.objects.create_network(self.spec.xml())

    def create_port(self, inbound=1000, outbound=1000):
        mac = nethelp.random_mac()
        port_uuid, xml = nethelp.port_xml(naming.unique("dom"), mac, inbound, outbound)

        def remove():
            try:
                self.net.portLookupByUUIDString(port_uuid).delete(0)
            except libvirt.libvirtError as err:
                if err.get_error_code() not in (libvirt.VIR_ERR_NO_NETWORK_PORT, libvirt.VIR_ERR_NO_NETWORK):
                    raise

        self.objects.on_cleanup(f"network port {port_uuid}", remove)
        return self.net.portCreateXML(xml, 0), port_uuid, mac

    def port_uuids(self):
        return {port.UUIDString() for port in self.net.listAllPorts(0)}

    def test_port_lifecycle(self):
        """
        A created port is listed, found by UUID, belongs to its network, describes its owner, MAC
        and bridge in its XML, and is gone after delete.

        :avocado: tags=api:virNetworkPortCreateXML,api:virNetworkListAllPorts
        :avocado: tags=api:virNetworkPortLookupByUUIDString,api:virNetworkPortLookupByUUID
        :avocado: tags=api:virNetworkPortGetUUIDString,api:virNetworkPortGetUUID
        :avocado: tags=api:virNetworkPortGetXMLDesc
        :avocado: tags=api:virNetworkPortDelete
        """
        self.assertEqual(self.port_uuids(), set(), "a fresh network has no ports")
        port, port_uuid, mac = self.create_port()
        self.assertEqual(port.UUIDString(), port_uuid)
        self.assertEqual(len(port.UUID()), 16)
        self.assertEqual(self.port_uuids(), {port_uuid})
        self.assertEqual(self.net.portLookupByUUIDString(port_uuid).UUIDString(), port_uuid)
        self.assertEqual(self.net.portLookupByUUID(port.UUID()).UUIDString(), port_uuid)
        self.assertEqual(port.network().name(), self.spec.name)
        xml = xmlsafe.fromstring(port.XMLDesc(0))
        self.assertEqual(xml.findtext("uuid"), port_uuid)
        self.assertTrue(naming.owned(xml.findtext("owner/name")))
        self.assertEqual(xml.find("mac").get("address"), mac)
        plug = xml.find("plug")
        self.assertIsNotNone(plug, "the port XML does not say how it is plugged")
        if plug.get("type") in ("network", "bridge"):
            self.assertEqual(plug.get("bridge"), self.spec.bridge)
        self.assertEqual(port.delete(0), 0)
        self.assertEqual(self.port_uuids(), set())
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK_PORT, self.net.portLookupByUUIDString, port_uuid)

    def test_two_ports(self):
        """
        Two ports on one network are both listed and deleting one leaves the other.

        :avocado: tags=api:virNetworkPortCreateXML,api:virNetworkListAllPorts,api:virNetworkPortDelete
        """
        first, first_uuid, _mac = self.create_port()
        _second, second_uuid, _mac2 = self.create_port()
        self.assertEqual(self.port_uuids(), {first_uuid, second_uuid})
        first.delete(0)
        self.assertEqual(self.port_uuids(), {second_uuid})

    def test_bandwidth_parameters(self):
        """
        A port's bandwidth reads back through getParameters; setParameters changes it, in the
        parameters and in the port XML.

        :avocado: tags=api:virNetworkPortGetParameters,api:virNetworkPortSetParameters
        """
        port, _uuid, _mac = self.create_port(inbound=500, outbound=600)
        params = port.parameters(0)
        self.assertEqual(params.get(IN_AVERAGE), 500)
        self.assertEqual(params.get(OUT_AVERAGE), 600)
        self.assertEqual(port.setParameters({IN_AVERAGE: 1000, OUT_AVERAGE: 2000}, 0), 0)
        params = port.parameters(0)
        self.assertEqual(params.get(IN_AVERAGE), 1000)
        self.assertEqual(params.get(OUT_AVERAGE), 2000)
        xml = xmlsafe.fromstring(port.XMLDesc(0))
        self.assertEqual(xml.find("bandwidth/inbound").get("average"), "1000")
        self.assertEqual(xml.find("bandwidth/outbound").get("average"), "2000")
