"""A read-only connection reads what a read-write one reads, and refuses every write with
VIR_ERR_OPERATION_DENIED, changing nothing (a representative set of writes per module)."""

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import consistency as cons

DENIED = libvirt.VIR_ERR_OPERATION_DENIED


class ReadOnlyTest(CertTest):
    """Opens a read-only connection beside the read-write one."""

    def setUp(self):
        super().setUp()
        self.ro = self.open_connection(readonly=True)

    def tearDown(self):
        if getattr(self, "ro", None) is not None:
            self.ro.close()
        super().tearDown()


class ReadOnly(ReadOnlyTest):
    """
    :avocado: tags=area:consistency,cap:consistency.read_only
    """

    def test_domain(self):
        """
        Domain writes are refused on a read-only connection: define, start, memory, autostart, undefine,
        and the secure XML; the domain is unchanged and its plain XML reads the same.

        :avocado: tags=api:virConnectOpenReadOnly,api:virDomainDefineXML,api:virDomainCreate
        :avocado: tags=api:virDomainSetMemoryFlags,api:virDomainSetAutostart,api:virDomainUndefine
        :avocado: tags=api:virDomainGetXMLDesc
        """
        dom = cons.domain(self)
        before = dom.XMLDesc(0)
        autostart = dom.autostart()
        rdom = self.ro.lookupByUUIDString(dom.UUIDString())
        self.assertEqual(rdom.XMLDesc(0), before, "the read-only connection reads another XML")
        fresh = self.domain_xml()
        name = xmlsafe.fromstring(fresh).findtext("name")
        self.objects.adopt_domain(name)
        cons.expect(self, DENIED, "virDomainDefineXML", self.ro.defineXML, fresh)
        cons.expect(self, DENIED, "virDomainCreate", rdom.create)
        cons.expect(
            self,
            DENIED,
            "virDomainSetMemoryFlags",
            rdom.setMemoryFlags,
            dom.maxMemory() // 2,
            libvirt.VIR_DOMAIN_AFFECT_CONFIG,
        )
        cons.expect(self, DENIED, "virDomainSetAutostart", rdom.setAutostart, int(not autostart))
        cons.expect(self, DENIED, "virDomainUndefine", rdom.undefine)
        cons.expect(self, DENIED, "virDomainGetXMLDesc", rdom.XMLDesc, libvirt.VIR_DOMAIN_XML_SECURE)
        cons.expect(self, libvirt.VIR_ERR_NO_DOMAIN, "virDomainLookupByName", self.conn.lookupByName, name)
        self.assertEqual(dom.isActive(), 0, "a refused start started the domain")
        self.assertEqual(dom.isPersistent(), 1, "a refused undefine removed the domain")
        self.assertEqual(dom.autostart(), autostart, "a refused autostart change took effect")
        self.assertEqual(dom.XMLDesc(0), before, "a refused write changed the domain")

    def test_network(self):
        """
        Network writes are refused on a read-only connection: define, start, autostart, undefine.

        :avocado: tags=api:virNetworkDefineXML,api:virNetworkCreate,api:virNetworkSetAutostart
        :avocado: tags=api:virNetworkUndefine
        """
        net = cons.network(self)
        before = net.XMLDesc(0)
        rnet = self.ro.networkLookupByUUIDString(net.UUIDString())
        fresh = cons.network_xml()
        name = xmlsafe.fromstring(fresh).findtext("name")
        cons.expect(self, DENIED, "virNetworkDefineXML", self.ro.networkDefineXML, fresh)
        cons.expect(self, DENIED, "virNetworkCreate", rnet.create)
        cons.expect(self, DENIED, "virNetworkSetAutostart", rnet.setAutostart, 1)
        cons.expect(self, DENIED, "virNetworkUndefine", rnet.undefine)
        cons.expect(
            self, libvirt.VIR_ERR_NO_NETWORK, "virNetworkLookupByName", self.conn.networkLookupByName, name
        )
        self.assertEqual(net.isActive(), 0, "a refused start started the network")
        self.assertEqual(net.isPersistent(), 1, "a refused undefine removed the network")
        self.assertEqual(net.autostart(), 0, "a refused autostart change took effect")
        self.assertEqual(net.XMLDesc(0), before)

    def test_storage(self):
        """
        Storage writes are refused on a read-only connection: pool define, stop and refresh, volume
        create, resize and delete; the pool stays active and the volume keeps its size.

        :avocado: tags=api:virStoragePoolDefineXML,api:virStoragePoolDestroy,api:virStoragePoolRefresh
        :avocado: tags=api:virStorageVolCreateXML,api:virStorageVolResize,api:virStorageVolDelete
        """
        pool = cons.pool(self)
        vol = cons.volume(self, pool)
        capacity = vol.info()[1]
        rpool = self.ro.storagePoolLookupByUUIDString(pool.UUIDString())
        rvol = rpool.storageVolLookupByName(vol.name())
        fresh = cons.pool_xml()
        name = xmlsafe.fromstring(fresh).findtext("name")
        cons.expect(self, DENIED, "virStoragePoolDefineXML", self.ro.storagePoolDefineXML, fresh, 0)
        cons.expect(self, DENIED, "virStoragePoolDestroy", rpool.destroy)
        cons.expect(self, DENIED, "virStoragePoolRefresh", rpool.refresh, 0)
        new_volume = cons.volume_xml()
        cons.expect(self, DENIED, "virStorageVolCreateXML", rpool.createXML, new_volume, 0)
        cons.expect(self, DENIED, "virStorageVolResize", rvol.resize, capacity * 2, 0)
        cons.expect(self, DENIED, "virStorageVolDelete", rvol.delete, 0)
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_STORAGE_POOL,
            "virStoragePoolLookupByName",
            self.conn.storagePoolLookupByName,
            name,
        )
        self.assertEqual(pool.isActive(), 1, "a refused destroy stopped the pool")
        self.assertEqual(pool.listVolumes(), [vol.name()], "a refused create or delete changed the volumes")
        self.assertEqual(vol.info()[1], capacity, "a refused resize changed the capacity")

    def test_host_objects(self):
        """
        Host interface and node device writes are refused on a read-only connection.

        :avocado: tags=api:virInterfaceDefineXML,api:virNodeDeviceCreateXML
        """
        iface_name = naming.netdev()
        cons.expect(
            self,
            DENIED,
            "virInterfaceDefineXML",
            self.ro.interfaceDefineXML,
            cons.interface_xml(iface_name),
            0,
        )
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_INTERFACE,
            "virInterfaceLookupByName",
            self.conn.interfaceLookupByName,
            iface_name,
        )
        cons.expect(
            self,
            DENIED,
            "virNodeDeviceCreateXML",
            self.ro.nodeDeviceCreateXML,
            "<device><name>acert-ro</name></device>",
            0,
        )

    def test_snapshot(self):
        """
        Taking a snapshot is refused on a read-only connection; the domain has no snapshot.

        :avocado: tags=api:virDomainSnapshotCreateXML
        """
        dom = cons.domain(self)
        rdom = self.ro.lookupByUUIDString(dom.UUIDString())
        cons.expect(
            self,
            DENIED,
            "virDomainSnapshotCreateXML",
            rdom.snapshotCreateXML,
            "<domainsnapshot><name>acert-ro</name></domainsnapshot>",
            0,
        )
        self.assertEqual(dom.snapshotNum(0), 0, "a refused snapshot was taken")


class SecretReadOnly(ReadOnlyTest):
    """
    :avocado: tags=area:consistency,cap:consistency.secret_errors
    """

    def test_read_only_secret(self):
        """
        Defining a secret is refused on a read-only connection; no secret with its usage exists.

        :avocado: tags=api:virSecretDefineXML
        """
        self.conn.listAllSecrets(0)  # a driver without secrets answers VIR_ERR_NO_SUPPORT here
        usage = naming.unique("secret")
        cons.expect(self, DENIED, "virSecretDefineXML", self.ro.secretDefineXML, cons.secret_xml(usage), 0)
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_SECRET,
            "virSecretLookupByUsage",
            self.conn.secretLookupByUsage,
            libvirt.VIR_SECRET_USAGE_TYPE_CEPH,
            usage,
        )


class NWFilterReadOnly(ReadOnlyTest):
    """
    :avocado: tags=area:consistency,cap:consistency.nwfilter_errors
    """

    def test_read_only_nwfilter(self):
        """
        Defining a network filter is refused on a read-only connection; no such filter exists.

        :avocado: tags=api:virNWFilterDefineXML
        """
        self.conn.listAllNWFilters(0)  # a driver without filters answers VIR_ERR_NO_SUPPORT here
        xml = cons.nwfilter_xml()
        name = xmlsafe.fromstring(xml).get("name")
        cons.expect(self, DENIED, "virNWFilterDefineXML", self.ro.nwfilterDefineXML, xml)
        cons.expect(
            self, libvirt.VIR_ERR_NO_NWFILTER, "virNWFilterLookupByName", self.conn.nwfilterLookupByName, name
        )


class NetworkPortReadOnly(ReadOnlyTest):
    """
    :avocado: tags=area:consistency,cap:consistency.network_port_errors
    """

    def test_read_only_port(self):
        """
        Creating a network port is refused on a read-only connection.

        :avocado: tags=api:virNetworkPortCreateXML
        """
        net = cons.network(self)
        # A driver without network ports answers VIR_ERR_NO_SUPPORT here.
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_NETWORK_PORT,
            "virNetworkPortLookupByUUIDString",
            net.portLookupByUUIDString,
            cons.missing_uuid(),
        )
        rnet = self.ro.networkLookupByUUIDString(net.UUIDString())
        cons.expect(self, DENIED, "virNetworkPortCreateXML", rnet.portCreateXML, "<networkport/>", 0)
