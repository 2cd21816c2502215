"""Virtual networks: define, start, stop, undefine, transient networks, validation and autostart."""

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing.network import NetworkSpec


def names(conn, flags):
    return {net.name() for net in conn.listAllNetworks(flags)}


class NetworkLifecycle(CertTest):
    """
    :avocado: tags=area:network,cap:network.lifecycle
    """

    def remove_later(self, name):
        """Cleanup for a network made by an API the factory does not wrap."""

        def remove():
            try:
                net = self.conn.networkLookupByName(name)
            except libvirt.libvirtError as err:
                if err.get_error_code() == libvirt.VIR_ERR_NO_NETWORK:
                    return
                raise
            persistent = net.isPersistent()
            if net.isActive():
                net.destroy()
            if persistent:
                net.undefine()

        self.objects.on_cleanup(f"network {name}", remove)

    def test_define_undefine(self):
        """
        A defined network is persistent and inactive, keeps its XML, and is gone after undefine.

        :avocado: tags=api:virNetworkDefineXML,api:virNetworkUndefine,api:virNetworkIsActive
        :avocado: tags=api:virNetworkIsPersistent,api:virNetworkGetXMLDesc
        """
        spec = NetworkSpec()
        net = self.objects.define_network(spec.xml())
        self.assertEqual(net.isPersistent(), 1)
        self.assertEqual(net.isActive(), 0)
        got = xmlsafe.fromstring(net.XMLDesc(0))
        self.assertEqual(got.findtext("name"), spec.name)
        self.assertEqual(got.find("bridge").get("name"), spec.bridge)
        self.assertEqual(got.find("ip").get("address"), spec.address(1))
        self.assertEqual(got.find("ip/dhcp/range").get("start"), spec.address(100))
        self.assertTrue(got.findtext("uuid"), "a defined network has a UUID")
        self.assertIn(spec.name, names(self.conn, libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE))
        self.assertEqual(net.undefine(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK, self.conn.networkLookupByName, spec.name)

    def test_start_destroy(self):
        """
        Starting a network makes it active on its bridge; destroy stops it and keeps its definition.

        :avocado: tags=api:virNetworkCreate,api:virNetworkDestroy,api:virNetworkGetBridgeName
        :avocado: tags=api:virNetworkIsActive
        """
        spec = NetworkSpec()
        net = self.objects.define_network(spec.xml())
        self.assertEqual(net.create(), 0)
        self.assertEqual(net.isActive(), 1)
        self.assertEqual(net.bridgeName(), spec.bridge)
        self.assertIn(spec.name, names(self.conn, libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE))
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, net.create)
        self.assertEqual(net.destroy(), 0)
        self.assertEqual(net.isActive(), 0)
        self.assertEqual(net.isPersistent(), 1, "destroy must not undefine a persistent network")
        self.assertIn(spec.name, names(self.conn, libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE))

    def test_transient(self):
        """
        A network created from XML runs without a definition and vanishes when destroyed.

        :avocado: tags=api:virNetworkCreateXML,api:virNetworkDestroy,api:virNetworkIsPersistent
        """
        spec = NetworkSpec()
        net = self.objects.create_network(spec.xml())
        self.assertEqual(net.isActive(), 1)
        self.assertEqual(net.isPersistent(), 0)
        self.assertEqual(net.name(), spec.name)
        self.assertEqual(net.destroy(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK, self.conn.networkLookupByName, spec.name)

    def test_define_validate(self):
        """
        With VIR_NETWORK_DEFINE_VALIDATE, XML outside the schema is refused and nothing is defined;
        valid XML is defined.

        :avocado: tags=api:virNetworkDefineXMLFlags
        """
        bad = NetworkSpec()
        root = xmlsafe.fromstring(bad.xml())
        root.append(root.makeelement("acert-unknown-element", {}))
        self.remove_later(bad.name)
        self.expect_error(
            libvirt.VIR_ERR_XML_INVALID_SCHEMA,
            self.conn.networkDefineXMLFlags,
            xmlsafe.tostring(root),
            libvirt.VIR_NETWORK_DEFINE_VALIDATE,
        )
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK, self.conn.networkLookupByName, bad.name)
        good = NetworkSpec()
        self.remove_later(good.name)
        net = self.conn.networkDefineXMLFlags(good.xml(), libvirt.VIR_NETWORK_DEFINE_VALIDATE)
        self.assertEqual(net.name(), good.name)
        self.assertEqual(net.isPersistent(), 1)
        self.assertEqual(net.isActive(), 0)

    def test_create_validate(self):
        """
        With VIR_NETWORK_CREATE_VALIDATE, a transient network from valid XML starts; invalid XML is refused.

        :avocado: tags=api:virNetworkCreateXMLFlags
        """
        bad = NetworkSpec()
        root = xmlsafe.fromstring(bad.xml())
        root.append(root.makeelement("acert-unknown-element", {}))
        self.remove_later(bad.name)
        self.expect_error(
            libvirt.VIR_ERR_XML_INVALID_SCHEMA,
            self.conn.networkCreateXMLFlags,
            xmlsafe.tostring(root),
            libvirt.VIR_NETWORK_CREATE_VALIDATE,
        )
        self.expect_error(libvirt.VIR_ERR_NO_NETWORK, self.conn.networkLookupByName, bad.name)
        good = NetworkSpec()
        self.remove_later(good.name)
        net = self.conn.networkCreateXMLFlags(good.xml(), libvirt.VIR_NETWORK_CREATE_VALIDATE)
        self.assertEqual(net.isActive(), 1)
        self.assertEqual(net.isPersistent(), 0)
        self.assertEqual(net.bridgeName(), good.bridge)


class NetworkAutostart(CertTest):
    """
    :avocado: tags=area:network,cap:network.autostart
    """

    def test_autostart(self):
        """
        Autostart is off for a new network, reads back after it is set and cleared, and moves the
        network between the AUTOSTART and NO_AUTOSTART listings.

        :avocado: tags=api:virNetworkSetAutostart,api:virNetworkGetAutostart
        :avocado: tags=api:virConnectListAllNetworks
        """
        spec = NetworkSpec()
        net = self.objects.define_network(spec.xml())
        on = libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART
        off = libvirt.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART
        self.assertEqual(net.autostart(), 0)
        self.assertIn(spec.name, names(self.conn, off))
        self.assertEqual(net.setAutostart(1), 0)
        self.assertEqual(net.autostart(), 1)
        self.assertIn(spec.name, names(self.conn, on))
        self.assertNotIn(spec.name, names(self.conn, off))
        self.assertEqual(net.isActive(), 0, "setting autostart must not start the network")
        self.assertEqual(net.setAutostart(0), 0)
        self.assertEqual(net.autostart(), 0)
        self.assertNotIn(spec.name, names(self.conn, on))
        self.assertIn(spec.name, names(self.conn, off))
