"""Looking up an object that does not exist gives the documented VIR_ERR_NO_* code of its kind, by
every key the API offers (name, UUID, id, path, key, MAC), also for an object that was just removed."""

import uuid

import libvirt

from avocado_cert.base import naming
from avocado_cert.testing import CertTest
from avocado_cert.testing import consistency as cons


class MissingObject(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.missing_object
    """

    def test_domain(self):
        """
        A missing domain is VIR_ERR_NO_DOMAIN by name, UUID and id, also right after undefine and destroy.

        :avocado: tags=api:virDomainLookupByName,api:virDomainLookupByUUIDString
        :avocado: tags=api:virDomainLookupByUUID,api:virDomainLookupByID
        """
        code = libvirt.VIR_ERR_NO_DOMAIN
        cons.expect(self, code, "virDomainLookupByName", self.conn.lookupByName, naming.unique("missing"))
        missing = uuid.uuid4()
        cons.expect(self, code, "virDomainLookupByUUIDString", self.conn.lookupByUUIDString, str(missing))
        cons.expect(self, code, "virDomainLookupByUUID", self.conn.lookupByUUID, missing.bytes)
        unused_id = max(self.conn.listDomainsID() or [0]) + 100000
        cons.expect(self, code, "virDomainLookupByID", self.conn.lookupByID, unused_id)

        dom = cons.domain(self, start=True)
        name, dom_uuid, dom_id = dom.name(), dom.UUIDString(), dom.ID()
        self.assertEqual(self.conn.lookupByID(dom_id).name(), name)
        dom.destroy()
        cons.expect(self, code, "virDomainLookupByID", self.conn.lookupByID, dom_id)
        dom.undefine()
        cons.expect(self, code, "virDomainLookupByName", self.conn.lookupByName, name)
        cons.expect(self, code, "virDomainLookupByUUIDString", self.conn.lookupByUUIDString, dom_uuid)

    def test_network(self):
        """
        A missing network is VIR_ERR_NO_NETWORK by name and UUID, also right after undefine.

        :avocado: tags=api:virNetworkLookupByName,api:virNetworkLookupByUUIDString
        :avocado: tags=api:virNetworkLookupByUUID
        """
        code = libvirt.VIR_ERR_NO_NETWORK
        missing = uuid.uuid4()
        cons.expect(self, code, "virNetworkLookupByName", self.conn.networkLookupByName, naming.unique("net"))
        cons.expect(
            self, code, "virNetworkLookupByUUIDString", self.conn.networkLookupByUUIDString, str(missing)
        )
        cons.expect(self, code, "virNetworkLookupByUUID", self.conn.networkLookupByUUID, missing.bytes)
        net = cons.network(self)
        name, net_uuid = net.name(), net.UUIDString()
        net.undefine()
        cons.expect(self, code, "virNetworkLookupByName", self.conn.networkLookupByName, name)
        cons.expect(self, code, "virNetworkLookupByUUIDString", self.conn.networkLookupByUUIDString, net_uuid)

    def test_interface(self):
        """
        A missing host interface is VIR_ERR_NO_INTERFACE by name and by MAC address.

        :avocado: tags=api:virInterfaceLookupByName,api:virInterfaceLookupByMACString
        """
        code = libvirt.VIR_ERR_NO_INTERFACE
        present = {iface.MACString().lower() for iface in self.conn.listAllInterfaces(0)}
        mac = cons.random_mac()
        while mac in present:
            mac = cons.random_mac()
        cons.expect(self, code, "virInterfaceLookupByName", self.conn.interfaceLookupByName, naming.netdev())
        cons.expect(self, code, "virInterfaceLookupByMACString", self.conn.interfaceLookupByMACString, mac)

    def test_snapshot(self):
        """
        A missing snapshot is VIR_ERR_NO_DOMAIN_SNAPSHOT by name, and so is the current snapshot of a
        domain that has none.

        :avocado: tags=api:virDomainSnapshotLookupByName,api:virDomainSnapshotCurrent
        """
        code = libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT
        dom = cons.domain(self)
        cons.expect(
            self, code, "virDomainSnapshotLookupByName", dom.snapshotLookupByName, naming.unique("snap"), 0
        )
        cons.expect(self, code, "virDomainSnapshotCurrent", dom.snapshotCurrent, 0)
        self.assertEqual(dom.hasCurrentSnapshot(0), 0, "a fresh domain reports a current snapshot")

    def test_checkpoint(self):
        """
        A missing checkpoint is VIR_ERR_NO_DOMAIN_CHECKPOINT by name.

        :avocado: tags=api:virDomainCheckpointLookupByName
        """
        dom = cons.domain(self)
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_DOMAIN_CHECKPOINT,
            "virDomainCheckpointLookupByName",
            dom.checkpointLookupByName,
            naming.unique("checkpoint"),
            0,
        )


class MissingObjectConvention(CertTest):
    """
    Storage and node device lookups do not document their error code; libvirt's drivers use the
    VIR_ERR_NO_* code of the kind.

    :avocado: tags=area:consistency,cap:consistency.missing_object_convention
    """

    def test_storage_pool(self):
        """
        A missing storage pool is VIR_ERR_NO_STORAGE_POOL by name and UUID, also right after undefine.

        :avocado: tags=api:virStoragePoolLookupByName,api:virStoragePoolLookupByUUIDString
        :avocado: tags=api:virStoragePoolLookupByUUID
        """
        code = libvirt.VIR_ERR_NO_STORAGE_POOL
        missing = uuid.uuid4()
        lookup_name = self.conn.storagePoolLookupByName
        cons.expect(self, code, "virStoragePoolLookupByName", lookup_name, naming.unique("pool"))
        cons.expect(
            self,
            code,
            "virStoragePoolLookupByUUIDString",
            self.conn.storagePoolLookupByUUIDString,
            str(missing),
        )
        cons.expect(
            self, code, "virStoragePoolLookupByUUID", self.conn.storagePoolLookupByUUID, missing.bytes
        )
        pool = self.objects.define_pool(cons.pool_xml())
        name, pool_uuid = pool.name(), pool.UUIDString()
        pool.undefine()
        cons.expect(self, code, "virStoragePoolLookupByName", lookup_name, name)
        cons.expect(
            self, code, "virStoragePoolLookupByUUIDString", self.conn.storagePoolLookupByUUIDString, pool_uuid
        )

    def test_storage_pool_target_path(self):
        """
        No pool has a missing folder as its target: VIR_ERR_NO_STORAGE_POOL.

        :avocado: tags=api:virStoragePoolLookupByTargetPath
        """
        path = f"{cons.POOL_PARENT}/{naming.unique('missing')}"
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_STORAGE_POOL,
            "virStoragePoolLookupByTargetPath",
            self.conn.storagePoolLookupByTargetPath,
            path,
        )

    def test_storage_volume(self):
        """
        A missing volume is VIR_ERR_NO_STORAGE_VOL by name, path and key, also right after delete.

        :avocado: tags=api:virStorageVolLookupByName,api:virStorageVolLookupByPath
        :avocado: tags=api:virStorageVolLookupByKey
        """
        code = libvirt.VIR_ERR_NO_STORAGE_VOL
        pool = cons.pool(self)
        cons.expect(
            self, code, "virStorageVolLookupByName", pool.storageVolLookupByName, naming.unique("vol")
        )
        vol = cons.volume(self, pool)
        name, path, key = vol.name(), vol.path(), vol.key()
        self.assertEqual(self.conn.storageVolLookupByPath(path).name(), name)
        vol.delete(0)
        cons.expect(self, code, "virStorageVolLookupByName", pool.storageVolLookupByName, name)
        cons.expect(self, code, "virStorageVolLookupByPath", self.conn.storageVolLookupByPath, path)
        cons.expect(self, code, "virStorageVolLookupByKey", self.conn.storageVolLookupByKey, key)

    def test_node_device(self):
        """
        A missing node device is VIR_ERR_NO_NODE_DEVICE by name.

        :avocado: tags=api:virNodeDeviceLookupByName
        """
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_NODE_DEVICE,
            "virNodeDeviceLookupByName",
            self.conn.nodeDeviceLookupByName,
            naming.unique("nodedev"),
        )

    def test_node_device_scsi_host_wwn(self):
        """
        No SCSI host has a pair of WWNs no adapter uses: VIR_ERR_NO_NODE_DEVICE.

        :avocado: tags=api:virNodeDeviceLookupSCSIHostByWWN
        """
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_NODE_DEVICE,
            "virNodeDeviceLookupSCSIHostByWWN",
            self.conn.nodeDeviceLookupSCSIHostByWWN,
            "20000000deadbeef",
            "10000000deadbeef",
            0,
        )


class SecretErrors(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.secret_errors
    """

    def test_missing_secret(self):
        """
        A missing secret is VIR_ERR_NO_SECRET by UUID and by usage, also right after undefine.

        :avocado: tags=api:virSecretLookupByUUIDString,api:virSecretLookupByUUID
        :avocado: tags=api:virSecretLookupByUsage
        """
        code = libvirt.VIR_ERR_NO_SECRET
        missing = uuid.uuid4()
        cons.expect(
            self, code, "virSecretLookupByUUIDString", self.conn.secretLookupByUUIDString, str(missing)
        )
        cons.expect(self, code, "virSecretLookupByUUID", self.conn.secretLookupByUUID, missing.bytes)
        usage = naming.unique("secret")
        lookup_usage = self.conn.secretLookupByUsage
        cons.expect(
            self, code, "virSecretLookupByUsage", lookup_usage, libvirt.VIR_SECRET_USAGE_TYPE_CEPH, usage
        )
        secret = self.objects.define_secret(cons.secret_xml())
        secret_uuid, usage = secret.UUIDString(), secret.usageID()
        secret.undefine()
        cons.expect(
            self, code, "virSecretLookupByUUIDString", self.conn.secretLookupByUUIDString, secret_uuid
        )
        cons.expect(
            self, code, "virSecretLookupByUsage", lookup_usage, libvirt.VIR_SECRET_USAGE_TYPE_CEPH, usage
        )


class NWFilterErrors(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.nwfilter_errors
    """

    def test_missing_nwfilter(self):
        """
        A missing network filter is VIR_ERR_NO_NWFILTER by name and UUID, also right after undefine.

        :avocado: tags=api:virNWFilterLookupByName,api:virNWFilterLookupByUUIDString
        :avocado: tags=api:virNWFilterLookupByUUID
        """
        code = libvirt.VIR_ERR_NO_NWFILTER
        missing = uuid.uuid4()
        by_name, by_uuid = self.conn.nwfilterLookupByName, self.conn.nwfilterLookupByUUIDString
        cons.expect(self, code, "virNWFilterLookupByName", by_name, naming.unique("filter"))
        cons.expect(self, code, "virNWFilterLookupByUUIDString", by_uuid, str(missing))
        cons.expect(self, code, "virNWFilterLookupByUUID", self.conn.nwfilterLookupByUUID, missing.bytes)
        nwfilter = self.objects.define_nwfilter(cons.nwfilter_xml())
        name, filter_uuid = nwfilter.name(), nwfilter.UUIDString()
        nwfilter.undefine()
        cons.expect(self, code, "virNWFilterLookupByName", by_name, name)
        cons.expect(self, code, "virNWFilterLookupByUUIDString", by_uuid, filter_uuid)

    def test_missing_binding(self):
        """
        No filter binding exists for a port device nobody created: VIR_ERR_NO_NWFILTER_BINDING.

        :avocado: tags=api:virNWFilterBindingLookupByPortDev
        """
        cons.expect(
            self,
            libvirt.VIR_ERR_NO_NWFILTER_BINDING,
            "virNWFilterBindingLookupByPortDev",
            self.conn.nwfilterBindingLookupByPortDev,
            naming.netdev(),
        )


class NetworkPortErrors(CertTest):
    """
    :avocado: tags=area:consistency,cap:consistency.network_port_errors
    """

    def test_missing_port(self):
        """
        A missing network port is VIR_ERR_NO_NETWORK_PORT by UUID.

        :avocado: tags=api:virNetworkPortLookupByUUIDString,api:virNetworkPortLookupByUUID
        """
        code = libvirt.VIR_ERR_NO_NETWORK_PORT
        net = cons.network(self)
        missing = uuid.uuid4()
        cons.expect(self, code, "virNetworkPortLookupByUUIDString", net.portLookupByUUIDString, str(missing))
        cons.expect(self, code, "virNetworkPortLookupByUUID", net.portLookupByUUID, missing.bytes)
