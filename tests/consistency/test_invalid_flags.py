"""A flag bit that no libvirt version defines is refused with VIR_ERR_INVALID_ARG (libvirt's
virCheckFlags), and the refused call changes nothing. The bit is chosen per API from libvirt-api.xml."""

import libvirt

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import CertTest
from avocado_cert.testing import consistency as cons

INVALID = libvirt.VIR_ERR_INVALID_ARG


def bad(api, flags=0):
    """The flags given plus one bit the API's flag enums do not define."""
    return flags | cons.undefined_flag(api)


class InvalidFlags(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.invalid_flags
    """

    def test_domain(self):
        """
        Domain calls refuse an unknown flag; the domain keeps its memory, its definition and its state.

        :avocado: tags=api:virDomainGetXMLDesc,api:virDomainSetMemoryFlags,api:virDomainUndefineFlags
        :avocado: tags=api:virDomainCreateWithFlags,api:virDomainDefineXMLFlags,api:virConnectListAllDomains
        """
        dom = cons.domain(self)
        before = dom.XMLDesc(0)
        memory = dom.maxMemory()
        cons.expect(self, INVALID, "virDomainGetXMLDesc", dom.XMLDesc, bad("virDomainGetXMLDesc"))
        cons.expect(
            self,
            INVALID,
            "virDomainSetMemoryFlags",
            dom.setMemoryFlags,
            memory // 2,
            bad("virDomainSetMemoryFlags", libvirt.VIR_DOMAIN_AFFECT_CONFIG),
        )
        cons.expect(self, INVALID, "virDomainUndefineFlags", dom.undefineFlags, bad("virDomainUndefineFlags"))
        cons.expect(
            self, INVALID, "virDomainCreateWithFlags", dom.createWithFlags, bad("virDomainCreateWithFlags")
        )
        self.assertEqual(dom.isPersistent(), 1, "a refused undefine removed the domain")
        self.assertEqual(dom.isActive(), 0, "a refused create started the domain")
        self.assertEqual(dom.XMLDesc(0), before, "a refused call changed the domain's XML")
        fresh = self.domain_xml()
        name = xmlsafe.fromstring(fresh).findtext("name")
        self.objects.adopt_domain(name)
        cons.expect(
            self,
            INVALID,
            "virDomainDefineXMLFlags",
            self.conn.defineXMLFlags,
            fresh,
            bad("virDomainDefineXMLFlags"),
        )
        self.assertNotIn(name, cons.names(self.conn.listAllDomains(0)), "a refused define defined the domain")
        cons.expect(
            self,
            INVALID,
            "virConnectListAllDomains",
            self.conn.listAllDomains,
            bad("virConnectListAllDomains"),
        )

    def test_network(self):
        """
        Network calls refuse an unknown flag; no network is defined by the refused call.

        :avocado: tags=api:virNetworkGetXMLDesc,api:virNetworkDefineXMLFlags,api:virConnectListAllNetworks
        """
        net = cons.network(self)
        before = net.XMLDesc(0)
        cons.expect(self, INVALID, "virNetworkGetXMLDesc", net.XMLDesc, bad("virNetworkGetXMLDesc"))
        xml = cons.network_xml()
        name = xmlsafe.fromstring(xml).findtext("name")
        self.objects.on_cleanup(f"network {name}", self._drop_network, name)
        cons.expect(
            self,
            INVALID,
            "virNetworkDefineXMLFlags",
            self.conn.networkDefineXMLFlags,
            xml,
            bad("virNetworkDefineXMLFlags"),
        )
        self.assertNotIn(
            name, cons.names(self.conn.listAllNetworks(0)), "a refused define defined the network"
        )
        cons.expect(
            self,
            INVALID,
            "virConnectListAllNetworks",
            self.conn.listAllNetworks,
            bad("virConnectListAllNetworks"),
        )
        self.assertEqual(net.XMLDesc(0), before)

    def _drop_network(self, name):
        for net in self.conn.listAllNetworks(0):
            if net.name() == name:
                net.undefine()

    def test_storage(self):
        """
        Pool and volume calls refuse an unknown flag; the volume survives a refused delete.

        :avocado: tags=api:virStoragePoolGetXMLDesc,api:virStoragePoolRefresh
        :avocado: tags=api:virConnectListAllStoragePools,api:virStorageVolGetXMLDesc,api:virStorageVolDelete
        """
        pool = cons.pool(self)
        vol = cons.volume(self, pool)
        cons.expect(self, INVALID, "virStoragePoolGetXMLDesc", pool.XMLDesc, bad("virStoragePoolGetXMLDesc"))
        cons.expect(self, INVALID, "virStoragePoolRefresh", pool.refresh, bad("virStoragePoolRefresh"))
        cons.expect(
            self,
            INVALID,
            "virConnectListAllStoragePools",
            self.conn.listAllStoragePools,
            bad("virConnectListAllStoragePools"),
        )
        cons.expect(self, INVALID, "virStorageVolGetXMLDesc", vol.XMLDesc, bad("virStorageVolGetXMLDesc"))
        cons.expect(self, INVALID, "virStorageVolDelete", vol.delete, bad("virStorageVolDelete"))
        self.assertIn(vol.name(), pool.listVolumes(), "a refused delete removed the volume")
        self.assertEqual(pool.isActive(), 1)

    def test_interface(self):
        """
        Host interface calls refuse an unknown flag.

        :avocado: tags=api:virConnectListAllInterfaces,api:virInterfaceGetXMLDesc
        """
        cons.expect(
            self,
            INVALID,
            "virConnectListAllInterfaces",
            self.conn.listAllInterfaces,
            bad("virConnectListAllInterfaces"),
        )
        interfaces = self.conn.listAllInterfaces(0)
        self.require(interfaces, "the host reports no interface to read")
        cons.expect(
            self, INVALID, "virInterfaceGetXMLDesc", interfaces[0].XMLDesc, bad("virInterfaceGetXMLDesc")
        )

    def test_node_device(self):
        """
        Node device calls refuse an unknown flag.

        :avocado: tags=api:virConnectListAllNodeDevices,api:virNodeDeviceGetXMLDesc
        """
        cons.expect(
            self,
            INVALID,
            "virConnectListAllNodeDevices",
            self.conn.listAllDevices,
            bad("virConnectListAllNodeDevices"),
        )
        devices = self.conn.listAllDevices(0)
        self.require(devices, "the host reports no node device to read")
        cons.expect(
            self, INVALID, "virNodeDeviceGetXMLDesc", devices[0].XMLDesc, bad("virNodeDeviceGetXMLDesc")
        )

    def test_snapshot_checkpoint(self):
        """
        Snapshot and checkpoint calls refuse an unknown flag; no snapshot is taken by the refused call.

        :avocado: tags=api:virDomainListAllSnapshots,api:virDomainSnapshotCreateXML
        :avocado: tags=api:virDomainListAllCheckpoints
        """
        dom = cons.domain(self)
        cons.expect(
            self, INVALID, "virDomainListAllSnapshots", dom.listAllSnapshots, bad("virDomainListAllSnapshots")
        )
        cons.expect(
            self,
            INVALID,
            "virDomainSnapshotCreateXML",
            dom.snapshotCreateXML,
            "<domainsnapshot><name>acert-snap</name></domainsnapshot>",
            bad("virDomainSnapshotCreateXML"),
        )
        self.assertEqual(dom.snapshotNum(0), 0, "a refused snapshot was taken")
        cons.expect(
            self,
            INVALID,
            "virDomainListAllCheckpoints",
            dom.listAllCheckpoints,
            bad("virDomainListAllCheckpoints"),
        )

    def test_host(self):
        """
        Host queries refuse an unknown flag.

        :avocado: tags=api:virNodeGetCPUStats,api:virNodeGetFreePages,api:virConnectGetAllDomainStats
        """
        cons.expect(self, INVALID, "virNodeGetCPUStats", self.conn.getCPUStats, -1, bad("virNodeGetCPUStats"))
        cons.expect(
            self,
            INVALID,
            "virNodeGetFreePages",
            self.conn.getFreePages,
            [4],
            0,
            1,
            bad("virNodeGetFreePages"),
        )
        cons.expect(
            self,
            INVALID,
            "virConnectGetAllDomainStats",
            self.conn.getAllDomainStats,
            0,
            bad("virConnectGetAllDomainStats"),
        )

    def test_secret(self):
        """
        Secret calls refuse an unknown flag; no secret is defined by the refused call.

        :avocado: tags=api:virConnectListAllSecrets,api:virSecretDefineXML
        """
        cons.expect(
            self,
            INVALID,
            "virConnectListAllSecrets",
            self.conn.listAllSecrets,
            bad("virConnectListAllSecrets"),
        )
        usage = naming.unique("secret")
        cons.expect(
            self,
            INVALID,
            "virSecretDefineXML",
            self.objects.define_secret,
            cons.secret_xml(usage),
            bad("virSecretDefineXML"),
        )
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_SECRET,
            "virSecretLookupByUsage",
            self.conn.secretLookupByUsage,
            libvirt.VIR_SECRET_USAGE_TYPE_CEPH,
            usage,
        )

    def test_nwfilter(self):
        """
        Network filter calls refuse an unknown flag; no filter is defined by the refused call.

        :avocado: tags=api:virConnectListAllNWFilters,api:virNWFilterDefineXMLFlags
        :avocado: tags=api:virConnectListAllNWFilterBindings
        """
        cons.expect(
            self,
            INVALID,
            "virConnectListAllNWFilters",
            self.conn.listAllNWFilters,
            bad("virConnectListAllNWFilters"),
        )
        xml = cons.nwfilter_xml()
        name = xmlsafe.fromstring(xml).get("name")
        self.objects.on_cleanup(f"nwfilter {name}", self._drop_nwfilter, name)
        cons.expect(
            self,
            INVALID,
            "virNWFilterDefineXMLFlags",
            self.conn.nwfilterDefineXMLFlags,
            xml,
            bad("virNWFilterDefineXMLFlags"),
        )
        self.assertNotIn(
            name, cons.names(self.conn.listAllNWFilters(0)), "a refused define defined the filter"
        )
        cons.expect(
            self,
            INVALID,
            "virConnectListAllNWFilterBindings",
            self.conn.listAllNWFilterBindings,
            bad("virConnectListAllNWFilterBindings"),
        )

    def _drop_nwfilter(self, name):
        for nwfilter in self.conn.listAllNWFilters(0):
            if nwfilter.name() == name:
                nwfilter.undefine()

    def test_network_port(self):
        """
        Listing a network's ports refuses an unknown flag.

        :avocado: tags=api:virNetworkListAllPorts
        """
        net = cons.network(self)
        cons.expect(self, INVALID, "virNetworkListAllPorts", net.listAllPorts, bad("virNetworkListAllPorts"))
