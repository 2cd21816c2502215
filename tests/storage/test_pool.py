"""Storage pools: a dir pool through its whole life, autostart, lookups, listings and the driver's
description of the pool types it supports."""

import os

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest, hostside, storage
from avocado_cert.testing.storage import PoolSpec

POOL_INACTIVE = libvirt.VIR_STORAGE_POOL_INACTIVE
POOL_RUNNING = libvirt.VIR_STORAGE_POOL_RUNNING

FILTERS = {
    "ACTIVE": libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
    "INACTIVE": libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
    "PERSISTENT": libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
    "TRANSIENT": libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
    "AUTOSTART": libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
    "NO_AUTOSTART": libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
}


class PoolTest(CertTest):
    @property
    def local(self):
        return hostside.shares_host(self.uri, self.driver)

    def define(self, build=True):
        """A defined dir pool; built unless asked not to, so that its cleanup can delete the folder."""
        spec = PoolSpec()
        if self.local:
            storage.remove_folder_later(self.objects, spec.path)
        pool = self.objects.define_pool(spec.xml())
        if build:
            pool.build(0)
        return pool, spec


class PoolLifecycle(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_lifecycle
    """

    def test_lifecycle(self):
        """
        A dir pool is defined (inactive, persistent, XML kept), built, started (running, info
        consistent), refreshed, stopped, deleted and undefined (then not found).

        :avocado: tags=api:virStoragePoolDefineXML,api:virStoragePoolBuild,api:virStoragePoolCreate
        :avocado: tags=api:virStoragePoolRefresh,api:virStoragePoolDestroy,api:virStoragePoolDelete
        :avocado: tags=api:virStoragePoolUndefine,api:virStoragePoolGetInfo
        :avocado: tags=api:virStoragePoolIsActive,api:virStoragePoolIsPersistent
        :avocado: tags=api:virStoragePoolGetXMLDesc
        """
        pool, spec = self.define(build=False)
        self.assertEqual(pool.isPersistent(), 1)
        self.assertEqual(pool.isActive(), 0)
        self.assertEqual(pool.info()[0], POOL_INACTIVE)
        xml = xmlsafe.fromstring(pool.XMLDesc(0))
        self.assertEqual(xml.get("type"), "dir")
        self.assertEqual(xml.findtext("name"), spec.name)
        self.assertEqual(xml.findtext("target/path"), spec.path)
        self.assertEqual(pool.build(0), 0)
        self.assertEqual(pool.create(0), 0)
        self.assertEqual(pool.isActive(), 1)
        state, capacity, allocation, available = pool.info()
        self.assertEqual(state, POOL_RUNNING)
        self.assertGreater(capacity, 0)
        self.assertLessEqual(allocation, capacity)
        self.assertLessEqual(available, capacity)
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, pool.create, 0)
        self.assertEqual(pool.refresh(0), 0)
        self.assertEqual(pool.destroy(), 0)
        self.assertEqual(pool.isActive(), 0)
        self.assertEqual(pool.info()[0], POOL_INACTIVE)
        self.assertEqual(pool.isPersistent(), 1, "destroy must not undefine a persistent pool")
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, pool.refresh, 0)
        self.assertEqual(pool.delete(0), 0)
        self.assertEqual(pool.undefine(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_STORAGE_POOL, self.conn.storagePoolLookupByName, spec.name)

    def test_transient(self):
        """
        A pool created from XML runs without a definition and vanishes when destroyed.

        :avocado: tags=api:virStoragePoolCreateXML,api:virStoragePoolDestroy
        :avocado: tags=api:virStoragePoolIsPersistent
        """
        pool, spec = storage.create_transient_pool(self)
        self.assertEqual(pool.isActive(), 1)
        self.assertEqual(pool.isPersistent(), 0)
        self.assertEqual(pool.info()[0], POOL_RUNNING)
        self.assertEqual(pool.destroy(), 0)
        self.expect_error(libvirt.VIR_ERR_NO_STORAGE_POOL, self.conn.storagePoolLookupByName, spec.name)


class PoolOnHost(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.host_files
    """

    def test_build_delete_on_disk(self):
        """
        Build makes the pool's folder on the host, delete removes it, refresh finds a file put there.

        :avocado: tags=api:virStoragePoolBuild,api:virStoragePoolDelete,api:virStoragePoolRefresh
        """
        self.require(self.local, f"the host of {self.uri} is not this machine: its files cannot be seen")
        pool, spec = self.define(build=False)
        self.assertFalse(os.path.exists(spec.path))
        pool.build(0)
        self.assertTrue(os.path.isdir(spec.path), "build did not make the pool folder")
        pool.create(0)
        name, _xml = storage.volume_xml()
        with open(os.path.join(spec.path, name), "wb") as handle:
            handle.truncate(storage.MIB)
        self.assertNotIn(name, pool.listVolumes(), "a file is listed before refresh")
        pool.refresh(0)
        self.assertIn(name, pool.listVolumes(), "refresh did not find the new file")
        self.assertEqual(pool.storageVolLookupByName(name).info()[1], storage.MIB)
        pool.storageVolLookupByName(name).delete(0)
        pool.destroy()
        self.assertEqual(pool.delete(0), 0)
        self.assertFalse(os.path.exists(spec.path), "delete left the pool folder")
        pool.undefine()


class PoolAutostart(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_autostart
    """

    def test_autostart(self):
        """
        Autostart is off for a new pool, reads back after it is set and cleared, and moves the pool
        between the AUTOSTART and NO_AUTOSTART listings.

        :avocado: tags=api:virStoragePoolSetAutostart,api:virStoragePoolGetAutostart
        :avocado: tags=api:virConnectListAllStoragePools
        """
        pool, spec = self.define()
        self.assertEqual(pool.autostart(), 0)
        self.assertIn(spec.name, storage.pool_names(self.conn, FILTERS["NO_AUTOSTART"]))
        self.assertEqual(pool.setAutostart(1), 0)
        self.assertEqual(pool.autostart(), 1)
        self.assertIn(spec.name, storage.pool_names(self.conn, FILTERS["AUTOSTART"]))
        self.assertNotIn(spec.name, storage.pool_names(self.conn, FILTERS["NO_AUTOSTART"]))
        self.assertEqual(pool.isActive(), 0, "setting autostart must not start the pool")
        self.assertEqual(pool.setAutostart(0), 0)
        self.assertEqual(pool.autostart(), 0)
        self.assertNotIn(spec.name, storage.pool_names(self.conn, FILTERS["AUTOSTART"]))


class PoolLookup(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_lookup
    """

    def test_lookup(self):
        """
        A pool is found by name, raw UUID and UUID string, and from one of its volumes.

        :avocado: tags=api:virStoragePoolLookupByName,api:virStoragePoolLookupByUUID
        :avocado: tags=api:virStoragePoolLookupByUUIDString,api:virStoragePoolLookupByVolume
        :avocado: tags=api:virStoragePoolGetName,api:virStoragePoolGetUUID
        :avocado: tags=api:virStoragePoolGetUUIDString
        """
        pool, spec = storage.make_pool(self)
        uuid = pool.UUIDString()
        self.assertEqual(len(pool.UUID()), 16)
        self.assertEqual(self.conn.storagePoolLookupByName(spec.name).UUIDString(), uuid)
        self.assertEqual(self.conn.storagePoolLookupByUUIDString(uuid).name(), spec.name)
        self.assertEqual(self.conn.storagePoolLookupByUUID(pool.UUID()).name(), spec.name)
        vol = storage.make_volume(self, pool)
        self.assertEqual(vol.storagePoolLookupByVolume().UUIDString(), uuid)

    def test_lookup_missing(self):
        """
        Looking up an undefined pool gives VIR_ERR_NO_STORAGE_POOL, by name and by UUID.

        :avocado: tags=api:virStoragePoolLookupByName,api:virStoragePoolLookupByUUIDString
        """
        pool, spec = self.define(build=False)
        uuid = pool.UUIDString()
        pool.undefine()
        self.expect_error(libvirt.VIR_ERR_NO_STORAGE_POOL, self.conn.storagePoolLookupByName, spec.name)
        self.expect_error(libvirt.VIR_ERR_NO_STORAGE_POOL, self.conn.storagePoolLookupByUUIDString, uuid)


class PoolLookupByPath(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_lookup_path
    """

    def test_lookup_by_target_path(self):
        """
        A pool is found by its target path.

        :avocado: tags=api:virStoragePoolLookupByTargetPath
        """
        pool, spec = storage.make_pool(self)
        self.assertEqual(self.conn.storagePoolLookupByTargetPath(spec.path).UUIDString(), pool.UUIDString())
        self.expect_error(
            libvirt.VIR_ERR_NO_STORAGE_POOL, self.conn.storagePoolLookupByTargetPath, spec.path + "-missing"
        )


class PoolListing(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_list
    """

    def setUp(self):
        super().setUp()
        # One pool per kind: defined with autostart, defined and running, transient and running.
        self.stopped, self.stopped_spec = self.define()
        self.stopped.setAutostart(1)
        self.started, self.started_spec = storage.make_pool(self)
        _pool, self.transient_spec = storage.create_transient_pool(self)

    def test_filters(self):
        """
        Every state filter of listAllStoragePools keeps exactly the pools in that state, and the
        type filter keeps dir pools only.

        :avocado: tags=api:virConnectListAllStoragePools
        """
        stopped, started, transient = self.stopped_spec.name, self.started_spec.name, self.transient_spec.name
        ours = {stopped, started, transient}
        expected = {
            "ACTIVE": {started, transient},
            "INACTIVE": {stopped},
            "PERSISTENT": {stopped, started},
            "TRANSIENT": {transient},
            "AUTOSTART": {stopped},
            "NO_AUTOSTART": {started, transient},
        }
        self.assertTrue(ours <= storage.pool_names(self.conn, 0), "listAllStoragePools(0) misses a pool")
        for label, flags in FILTERS.items():
            got = storage.pool_names(self.conn, flags) & ours
            self.assertEqual(got, expected[label], f"VIR_CONNECT_LIST_STORAGE_POOLS_{label}")
        self.assertEqual(
            storage.pool_names(self.conn, libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_DIR) & ours, ours
        )
        self.assertEqual(
            storage.pool_names(self.conn, libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL) & ours, set()
        )

    def snapshot(self):
        """The listings read twice in a row until they agree (other clients may change the host)."""
        active, inactive = FILTERS["ACTIVE"], FILTERS["INACTIVE"]
        for _attempt in range(20):
            before = (storage.pool_names(self.conn, active), storage.pool_names(self.conn, inactive))
            counts = (self.conn.numOfStoragePools(), self.conn.numOfDefinedStoragePools())
            legacy = (set(self.conn.listStoragePools()), set(self.conn.listDefinedStoragePools()))
            after = (storage.pool_names(self.conn, active), storage.pool_names(self.conn, inactive))
            if before == after:
                return after, counts, legacy
        self.skip_because("the host's pools kept changing while they were being counted")
        return None

    def test_counts_agree(self):
        """
        numOfStoragePools/listStoragePools and their Defined counterparts agree with
        listAllStoragePools' ACTIVE and INACTIVE filters.

        :avocado: tags=api:virConnectNumOfStoragePools,api:virConnectListStoragePools
        :avocado: tags=api:virConnectNumOfDefinedStoragePools,api:virConnectListDefinedStoragePools
        """
        (active, inactive), (num_active, num_inactive), (names, defined) = self.snapshot()
        self.assertEqual(names, active)
        self.assertEqual(defined, inactive)
        self.assertEqual(num_active, len(active))
        self.assertEqual(num_inactive, len(inactive))
        self.assertIn(self.started_spec.name, names)
        self.assertIn(self.transient_spec.name, names)
        self.assertIn(self.stopped_spec.name, defined)


class PoolCapabilities(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_capabilities
    """

    def test_capabilities(self):
        """
        The storage pool capabilities name the dir pool type as supported, with raw among its
        volume formats.

        :avocado: tags=api:virConnectGetStoragePoolCapabilities
        """
        caps = xmlsafe.fromstring(self.conn.getStoragePoolCapabilities(0), "storage pool capabilities")
        self.assertEqual(caps.tag, "storagepoolCapabilities")
        dir_pool = caps.find("pool[@type='dir']")
        self.assertIsNotNone(dir_pool, "no dir pool type in the capabilities")
        self.assertEqual(dir_pool.get("supported"), "yes")
        formats = [v.text for v in dir_pool.findall("volOptions/enum[@name='targetFormatType']/value")]
        self.assertIn("raw", formats)


class PoolSources(PoolTest):
    """
    :avocado: tags=area:storage,cap:storage.pool_sources
    """

    def test_find_sources(self):
        """
        findStoragePoolSources for logical pools returns a <sources> document whose entries name a
        volume group and its devices.

        :avocado: tags=api:virConnectFindStoragePoolSources
        """
        try:
            xml = self.conn.findStoragePoolSources("logical", None, 0)
        except libvirt.libvirtError as err:
            # The daemon's LVM probe runs host tools (pvs/vgs); without them there is nothing to scan.
            if err.get_error_code() == libvirt.VIR_ERR_INTERNAL_ERROR and "pvs" in str(err):
                reason = err.get_error_message().strip().splitlines()[-1]
                self.skip_because(f"the host cannot scan for LVM volume groups: {reason}")
            raise
        sources = xmlsafe.fromstring(xml, "pool sources")
        self.assertEqual(sources.tag, "sources")
        for source in sources.findall("source"):
            self.assertTrue(source.findtext("name"), "a logical source without a volume group name")
            self.assertTrue(source.findall("device"), "a logical source without devices")
