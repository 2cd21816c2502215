"""XML that is not well-formed, or has the wrong root element, is refused with VIR_ERR_XML_ERROR (or its
detailed form VIR_ERR_XML_DETAIL), and the refused call creates nothing."""

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import consistency as cons

XML = cons.XML_ERRORS
# Cut short inside a start tag: no parser can read it.
TRUNCATED = {
    "domain": "<domain type='test'><name>acert-malformed</name",
    "network": "<network><name>acert-malformed</name",
    "pool": "<pool type='dir'><name>acert-malformed</name",
    "volume": "<volume><name>acert-malformed.img</name",
    "snapshot": "<domainsnapshot><name>acert-malformed</name",
    "secret": "<secret ephemeral='no'",
    "filter": "<filter name='acert-malformed'",
    "binding": "<filterbinding><portdev name='acert-malformed'/",
    "port": "<networkport><uuid>",
    "interface": "<interface type='ethernet' name='acertbadxml'",
    "device": "<device><name>acert-malformed</name",
}


class MalformedXML(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.malformed_xml
    """

    def test_domain(self):
        """
        Domain definitions that are not well-formed, or are not <domain>, are refused; nothing is defined.

        :avocado: tags=api:virDomainDefineXML,api:virDomainCreateXML,api:virDomainDefineXMLFlags
        """
        cons.expect(self, XML, "virDomainDefineXML", self.conn.defineXML, TRUNCATED["domain"])
        cons.expect(self, XML, "virDomainCreateXML", self.conn.createXML, TRUNCATED["domain"], 0)
        wrong_root = cons.network_xml()
        cons.expect(self, XML, "virDomainDefineXML", self.conn.defineXML, wrong_root)
        cons.expect(self, XML, "virDomainDefineXMLFlags", self.conn.defineXMLFlags, TRUNCATED["domain"], 0)
        defined = cons.names(self.conn.listAllDomains(0))
        self.assertNotIn("acert-malformed", defined)
        self.assertNotIn(xmlsafe.fromstring(wrong_root).findtext("name"), defined)

    def test_network(self):
        """
        Network definitions that are not well-formed, or are not <network>, are refused.

        :avocado: tags=api:virNetworkDefineXML,api:virNetworkCreateXML
        """
        cons.expect(self, XML, "virNetworkDefineXML", self.conn.networkDefineXML, TRUNCATED["network"])
        cons.expect(self, XML, "virNetworkCreateXML", self.conn.networkCreateXML, TRUNCATED["network"])
        cons.expect(self, XML, "virNetworkDefineXML", self.conn.networkDefineXML, cons.pool_xml())
        self.assertNotIn("acert-malformed", cons.names(self.conn.listAllNetworks(0)))

    def test_storage(self):
        """
        Pool and volume definitions that are not well-formed are refused; the pool stays empty.

        :avocado: tags=api:virStoragePoolDefineXML,api:virStoragePoolCreateXML,api:virStorageVolCreateXML
        """
        cons.expect(
            self, XML, "virStoragePoolDefineXML", self.conn.storagePoolDefineXML, TRUNCATED["pool"], 0
        )
        cons.expect(
            self, XML, "virStoragePoolCreateXML", self.conn.storagePoolCreateXML, TRUNCATED["pool"], 0
        )
        self.assertNotIn("acert-malformed", cons.names(self.conn.listAllStoragePools(0)))
        pool = cons.pool(self)
        cons.expect(self, XML, "virStorageVolCreateXML", pool.createXML, TRUNCATED["volume"], 0)
        cons.expect(self, XML, "virStorageVolCreateXML", pool.createXML, cons.network_xml(), 0)
        pool.refresh(0)
        self.assertEqual(pool.listVolumes(), [], "a refused volume was created")

    def test_snapshot(self):
        """
        A snapshot description that is not well-formed is refused; no snapshot is taken.

        :avocado: tags=api:virDomainSnapshotCreateXML
        """
        dom = cons.domain(self)
        cons.expect(self, XML, "virDomainSnapshotCreateXML", dom.snapshotCreateXML, TRUNCATED["snapshot"], 0)
        self.assertEqual(dom.snapshotNum(0), 0, "a refused snapshot was taken")


class MalformedXMLHost(CertTest):
    """
    Host interface and node device definitions: drivers without a writable backend answer
    VIR_ERR_NO_SUPPORT before they read the XML.

    :avocado: tags=area:consistency,cap:consistency.malformed_xml_host
    """

    def test_interface(self):
        """
        A host interface definition that is not well-formed is refused.

        :avocado: tags=api:virInterfaceDefineXML
        """
        cons.expect(
            self, XML, "virInterfaceDefineXML", self.conn.interfaceDefineXML, TRUNCATED["interface"], 0
        )
        self.assertNotIn("acertbadxml", cons.names(self.conn.listAllInterfaces(0)))

    def test_node_device(self):
        """
        A node device description that is not well-formed is refused.

        :avocado: tags=api:virNodeDeviceCreateXML
        """
        cons.expect(
            self, XML, "virNodeDeviceCreateXML", self.conn.nodeDeviceCreateXML, TRUNCATED["device"], 0
        )


class SecretXML(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.secret_errors
    """

    def test_malformed_secret(self):
        """
        A secret definition that is not well-formed is refused.

        :avocado: tags=api:virSecretDefineXML
        """
        cons.expect(self, XML, "virSecretDefineXML", self.conn.secretDefineXML, TRUNCATED["secret"], 0)


class NWFilterXML(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.nwfilter_errors
    """

    def test_malformed_nwfilter(self):
        """
        Filter and binding definitions that are not well-formed are refused; nothing is defined.

        :avocado: tags=api:virNWFilterDefineXML,api:virNWFilterBindingCreateXML
        """
        self.conn.listAllNWFilters(0)
        cons.expect(self, XML, "virNWFilterDefineXML", self.conn.nwfilterDefineXML, TRUNCATED["filter"])
        self.assertNotIn("acert-malformed", cons.names(self.conn.listAllNWFilters(0)))
        cons.expect(
            self,
            XML,
            "virNWFilterBindingCreateXML",
            self.conn.nwfilterBindingCreateXML,
            TRUNCATED["binding"],
            0,
        )
        ports = [b.portDev() for b in self.conn.listAllNWFilterBindings(0)]
        self.assertNotIn("acert-malformed", ports)


class NetworkPortXML(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.network_port_errors
    """

    def test_malformed_port(self):
        """
        A network port description that is not well-formed is refused.

        :avocado: tags=api:virNetworkPortCreateXML
        """
        net = cons.network(self)
        cons.expect(self, XML, "virNetworkPortCreateXML", net.portCreateXML, TRUNCATED["port"], 0)
