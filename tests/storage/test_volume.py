"""Storage volumes in a dir pool: create, clone, resize, wipe, delete, lookups and listings."""

import os

import libvirt

from avocado_cert.base import xmlsafe
from avocado_cert.testing import CertTest, hostside, storage
from avocado_cert.testing.storage import MIB

RAW = "raw"
QCOW2 = "qcow2"


class VolumeTest(CertTest):
    def setUp(self):
        super().setUp()
        self.pool, self.spec = storage.make_pool(self)

    @property
    def local(self):
        return hostside.shares_host(self.uri, self.driver)

    def volume(self, capacity=MIB, fmt=RAW, allocation=0):
        return storage.make_volume(self, self.pool, capacity, fmt, allocation)

    def require_local(self):
        self.require(self.local, f"the host of {self.uri} is not this machine: its files cannot be seen")

    def content(self):
        return storage.VolumeContent(self.conn, self.local)

    def capacity_in_xml(self, vol):
        xml = xmlsafe.fromstring(vol.XMLDesc(0), "volume XML")
        return int(xml.findtext("capacity"))


class VolumeCreate(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_lifecycle
    """

    def check_created(self, fmt, capacity):
        vol = self.volume(capacity, fmt)
        vol_type, got_capacity, allocation = vol.info()
        self.assertEqual(vol_type, libvirt.VIR_STORAGE_VOL_FILE)
        self.assertEqual(got_capacity, capacity)
        self.assertGreaterEqual(allocation, 0)
        self.assertEqual(self.capacity_in_xml(vol), capacity)
        self.assertEqual(storage.volume_format(vol), fmt)
        self.assertEqual(os.path.dirname(vol.path()), self.spec.path)
        return vol

    def test_create_raw(self):
        """
        A raw volume reads back its capacity and format through info() and its XML, and lives in
        the pool's folder.

        :avocado: tags=api:virStorageVolCreateXML,api:virStorageVolGetInfo
        :avocado: tags=api:virStorageVolGetXMLDesc,api:virStorageVolGetPath,api:virStorageVolGetName
        """
        vol = self.check_created(RAW, 3 * MIB)
        self.assertEqual(vol.name(), os.path.basename(vol.path()))

    def test_create_qcow2(self):
        """
        A qcow2 volume reads back its virtual capacity and format.

        :avocado: tags=api:virStorageVolCreateXML,api:virStorageVolGetInfo,api:virStorageVolGetXMLDesc
        """
        self.check_created(QCOW2, 8 * MIB)

    def test_preallocated(self):
        """
        A raw volume created with its allocation equal to its capacity reports that allocation.

        :avocado: tags=api:virStorageVolCreateXML,api:virStorageVolGetInfo
        """
        vol = self.volume(2 * MIB, RAW, allocation=2 * MIB)
        self.assertGreaterEqual(vol.info()[2], 2 * MIB)

    def test_delete(self):
        """
        A deleted volume is no longer listed or found, and (where it can be seen) its file is gone.

        :avocado: tags=api:virStorageVolDelete,api:virStorageVolLookupByName
        """
        vol = self.volume()
        name, path = vol.name(), vol.path()
        self.assertEqual(vol.delete(0), 0)
        self.assertNotIn(name, self.pool.listVolumes())
        self.expect_error(libvirt.VIR_ERR_NO_STORAGE_VOL, self.pool.storageVolLookupByName, name)
        self.expect_error(libvirt.VIR_ERR_NO_STORAGE_VOL, self.conn.storageVolLookupByPath, path)
        if self.local:
            self.assertFalse(os.path.exists(path), "the volume's file is still there")

    def test_duplicate_name(self):
        """
        Creating a volume with the name of an existing one is refused and leaves the existing one.

        :avocado: tags=api:virStorageVolCreateXML
        """
        vol = self.volume()
        _name, xml = storage.volume_xml(name=vol.name())
        self.expect_error(
            (libvirt.VIR_ERR_STORAGE_VOL_EXIST, libvirt.VIR_ERR_OPERATION_FAILED), self.pool.createXML, xml, 0
        )
        self.assertEqual(self.pool.listVolumes().count(vol.name()), 1)


class VolumeOnHost(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.host_files
    """

    def test_file_on_disk(self):
        """
        On the host, a raw volume is a file of its capacity and a qcow2 volume an image that
        qemu-img reads as qcow2 with the same virtual size.

        :avocado: tags=api:virStorageVolCreateXML
        """
        self.require_local()
        raw = self.volume(3 * MIB, RAW)
        self.assertEqual(os.path.getsize(raw.path()), 3 * MIB)
        self.assertEqual(storage.qemu_img_info(raw.path())["format"], RAW)
        qcow = self.volume(8 * MIB, QCOW2)
        info = storage.qemu_img_info(qcow.path())
        self.assertEqual(info["format"], QCOW2)
        self.assertEqual(info["virtual-size"], 8 * MIB)


class VolumeInfoFlags(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_info_flags
    """

    def test_info_flags(self):
        """
        infoFlags(VIR_STORAGE_VOL_GET_PHYSICAL) reports the same type and capacity as info().

        :avocado: tags=api:virStorageVolGetInfoFlags
        """
        vol = self.volume(2 * MIB, RAW, allocation=2 * MIB)
        physical = vol.infoFlags(libvirt.VIR_STORAGE_VOL_GET_PHYSICAL)
        self.assertEqual(physical[:2], vol.info()[:2])
        self.assertGreaterEqual(physical[2], 2 * MIB)


class VolumeLookup(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_lookup
    """

    def test_lookups(self):
        """
        A volume is found by name in its pool, by key and by path, each giving the same volume.

        :avocado: tags=api:virStorageVolLookupByName,api:virStorageVolLookupByKey
        :avocado: tags=api:virStorageVolLookupByPath,api:virStorageVolGetKey,api:virStorageVolGetPath
        """
        vol = self.volume()
        key, path = vol.key(), vol.path()
        self.assertTrue(key)
        self.assertEqual(self.pool.storageVolLookupByName(vol.name()).key(), key)
        self.assertEqual(self.conn.storageVolLookupByKey(key).path(), path)
        self.assertEqual(self.conn.storageVolLookupByPath(path).key(), key)
        self.assertEqual(self.conn.storageVolLookupByPath(path).name(), vol.name())

    def test_listings_agree(self):
        """
        listAllVolumes, listVolumes and numOfVolumes name the same volumes, and follow a delete.

        :avocado: tags=api:virStoragePoolListAllVolumes,api:virStoragePoolListVolumes
        :avocado: tags=api:virStoragePoolNumOfVolumes
        """
        self.assertEqual(self.pool.numOfVolumes(), 0)
        vols = [self.volume(fmt=fmt) for fmt in (RAW, QCOW2, RAW)]
        wanted = {v.name() for v in vols}
        self.assertEqual({v.name() for v in self.pool.listAllVolumes(0)}, wanted)
        self.assertEqual(set(self.pool.listVolumes()), wanted)
        self.assertEqual(self.pool.numOfVolumes(), 3)
        vols[0].delete(0)
        wanted.discard(vols[0].name())
        self.assertEqual({v.name() for v in self.pool.listAllVolumes(0)}, wanted)
        self.assertEqual(set(self.pool.listVolumes()), wanted)
        self.assertEqual(self.pool.numOfVolumes(), 2)


class VolumeClone(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_clone
    """

    def test_clone(self):
        """
        createXMLFrom makes a new volume of the source's capacity.

        :avocado: tags=api:virStorageVolCreateXMLFrom
        """
        source = self.volume(2 * MIB)
        name, xml = storage.volume_xml(2 * MIB)
        clone = self.objects.create_volume(self.pool, xml, clone_from=source)
        self.assertEqual(clone.name(), name)
        self.assertNotEqual(clone.key(), source.key())
        self.assertEqual(clone.info()[1], 2 * MIB)
        self.assertIn(name, self.pool.listVolumes())


class VolumeCloneContent(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_clone_content
    """

    def test_clone_content(self):
        """
        The clone holds the source's bytes.

        :avocado: tags=api:virStorageVolCreateXMLFrom
        """
        source = self.volume(MIB)
        payload = os.urandom(MIB)
        self.content().write(source, payload)
        _name, xml = storage.volume_xml(MIB)
        clone = self.objects.create_volume(self.pool, xml, clone_from=source)
        got = self.content().read(clone)
        self.assertEqual(len(got), MIB)
        self.assertEqual(
            storage.stream.sha256(got), storage.stream.sha256(payload), "the clone's content differs"
        )


class VolumeResize(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_resize
    """

    def test_grow(self):
        """
        Resize grows a volume to the new capacity (read back by info() and XML); DELTA adds to it.

        :avocado: tags=api:virStorageVolResize
        """
        vol = self.volume(MIB)
        self.assertEqual(vol.resize(2 * MIB, 0), 0)
        self.assertEqual(vol.info()[1], 2 * MIB)
        self.assertEqual(self.capacity_in_xml(vol), 2 * MIB)
        self.assertEqual(vol.resize(MIB, libvirt.VIR_STORAGE_VOL_RESIZE_DELTA), 0)
        self.assertEqual(vol.info()[1], 3 * MIB)

    def test_shrink(self):
        """
        Shrinking without VIR_STORAGE_VOL_RESIZE_SHRINK is refused and changes nothing; with the
        flag the capacity goes down.

        :avocado: tags=api:virStorageVolResize
        """
        vol = self.volume(2 * MIB)
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, vol.resize, MIB, 0)
        self.assertEqual(vol.info()[1], 2 * MIB)
        self.assertEqual(vol.resize(MIB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK), 0)
        self.assertEqual(vol.info()[1], MIB)

    def test_allocate(self):
        """
        VIR_STORAGE_VOL_RESIZE_ALLOCATE makes the allocation cover the new capacity.

        :avocado: tags=api:virStorageVolResize
        """
        vol = self.volume(MIB)
        self.assertEqual(vol.resize(4 * MIB, libvirt.VIR_STORAGE_VOL_RESIZE_ALLOCATE), 0)
        _type, capacity, allocation = vol.info()
        self.assertEqual(capacity, 4 * MIB)
        self.assertGreaterEqual(allocation, 4 * MIB)

    def test_grow_qcow2(self):
        """
        A qcow2 volume grows in virtual size (and qemu-img agrees, where the file can be seen).

        :avocado: tags=api:virStorageVolResize
        """
        vol = self.volume(8 * MIB, QCOW2)
        self.assertEqual(vol.resize(16 * MIB, 0), 0)
        self.assertEqual(vol.info()[1], 16 * MIB)
        if self.local:
            self.assertEqual(storage.qemu_img_info(vol.path())["virtual-size"], 16 * MIB)

    def test_grow_keeps_content(self):
        """
        Growing a volume keeps its content and the new space reads as zeros.

        :avocado: tags=api:virStorageVolResize
        """
        vol = self.volume(MIB)
        payload = os.urandom(MIB)
        self.content().write(vol, payload)
        vol.resize(2 * MIB, 0)
        got = self.content().read(vol)
        self.assertEqual(got[:MIB], payload)
        self.assertEqual(got[MIB:], b"\0" * MIB)


class VolumeWipe(VolumeTest):
    """
    :avocado: tags=area:storage,cap:storage.volume_wipe
    """

    def filled(self):
        vol = self.volume(MIB)
        self.content().write(vol, os.urandom(MIB))
        self.assertNotEqual(self.content().read(vol), b"\0" * MIB, "the volume was not written")
        return vol

    def test_wipe(self):
        """
        After wipe the volume reads as zeros and keeps its capacity.

        :avocado: tags=api:virStorageVolWipe
        """
        vol = self.filled()
        self.assertEqual(vol.wipe(0), 0)
        self.assertEqual(vol.info()[1], MIB)
        self.assertEqual(self.content().read(vol), b"\0" * MIB)

    def test_wipe_pattern_zero(self):
        """
        After wipePattern with VIR_STORAGE_VOL_WIPE_ALG_ZERO the volume reads as zeros.

        :avocado: tags=api:virStorageVolWipePattern
        """
        vol = self.filled()
        self.assertEqual(vol.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0), 0)
        self.assertEqual(vol.info()[1], MIB)
        self.assertEqual(self.content().read(vol), b"\0" * MIB)
