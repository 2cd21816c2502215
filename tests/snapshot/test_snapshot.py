"""Domain snapshots: creation (internal, disk-only external, with external memory), the snapshot
tree and its queries, revert (the state, the XML and the disk contents of the time come back) and
delete (a leaf, with children, children only, metadata only)."""

import os
import subprocess

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime
from avocado_cert.testing.snapshot import snapshot as snapshot_xml


def names(snapshots):
    return sorted(snap.getName() for snap in snapshots)


def set_description(dom, text):
    dom.setMetadata(
        libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, text, None, None, libvirt.VIR_DOMAIN_AFFECT_CURRENT
    )


def description(dom):
    try:
        return dom.metadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None, libvirt.VIR_DOMAIN_AFFECT_CURRENT)
    except libvirt.libvirtError as err:
        if err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN_METADATA:
            return None
        raise


class SnapshotTest(CertTest):
    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def create(self, dom, name, flags=0, **kwargs):
        return dom.snapshotCreateXML(snapshot_xml(name, **kwargs), flags)

    def chain(self, dom, *snapshot_names):
        """Snapshots created one after the other: each the child of the one before."""
        return [self.create(dom, name) for name in snapshot_names]


class SnapshotBasics(SnapshotTest):
    """
    :avocado: tags=area:snapshot,cap:snapshot.basic
    """

    def test_create_lookup_list(self):
        """
        Snapshots of a running domain are found by name, listed and counted, and their XML names
        them, their description, the domain's state and the domain itself.

        :avocado: tags=api:virDomainSnapshotCreateXML,api:virDomainSnapshotLookupByName
        :avocado: tags=api:virDomainListAllSnapshots,api:virDomainSnapshotListNames
        :avocado: tags=api:virDomainSnapshotNum,api:virDomainSnapshotGetXMLDesc
        :avocado: tags=api:virDomainSnapshotGetName,api:virDomainSnapshotGetDomain
        :avocado: tags=api:virDomainSnapshotGetConnect
        """
        dom, _facts, _vol = self.rt.disk_domain()
        self.assertEqual(dom.snapshotNum(0), 0)
        first = self.create(dom, "acert-s1", description="first")
        self.create(dom, "acert-s2", description="second")
        self.assertEqual(first.getName(), "acert-s1")
        self.assertEqual(first.getDomain().UUIDString(), dom.UUIDString())
        self.assertEqual(first.getConnect().getURI(), self.conn.getURI())
        found = dom.snapshotLookupByName("acert-s2", 0)
        self.assertEqual(found.getName(), "acert-s2")
        self.assertEqual(names(dom.listAllSnapshots(0)), ["acert-s1", "acert-s2"])
        self.assertEqual(sorted(dom.snapshotListNames(0)), ["acert-s1", "acert-s2"])
        self.assertEqual(dom.snapshotNum(0), 2)
        xml = self.rt.xml_of_text(found.getXMLDesc(0))
        self.assertEqual(xml.findtext("name"), "acert-s2")
        self.assertEqual(xml.findtext("description"), "second")
        self.assertEqual(xml.findtext("state"), "running")
        self.assertEqual(xml.findtext("parent/name"), "acert-s1")
        self.assertEqual(xml.findtext("domain/uuid"), dom.UUIDString())
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, dom.snapshotLookupByName, "acert-none", 0)

    def test_inactive_domain(self):
        """
        A snapshot of a domain that is shut off records the state 'shutoff' and no memory.

        :avocado: tags=api:virDomainSnapshotCreateXML,api:virDomainSnapshotGetXMLDesc
        """
        dom, _facts, _vol = self.rt.disk_domain(start=False)
        snap = self.create(dom, "acert-off")
        xml = self.rt.xml_of_text(snap.getXMLDesc(0))
        self.assertEqual(xml.findtext("state"), "shutoff")
        self.assertEqual(xml.find("memory").get("snapshot"), "no")
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF, "taking a snapshot started the domain")

    def test_delete_leaf(self):
        """
        Deleting a snapshot removes it: lookup fails with VIR_ERR_NO_DOMAIN_SNAPSHOT, the count drops.

        :avocado: tags=api:virDomainSnapshotDelete,api:virDomainSnapshotNum
        """
        dom, _facts, _vol = self.rt.disk_domain()
        _first, second = self.chain(dom, "acert-s1", "acert-s2")
        self.assertEqual(second.delete(0), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, dom.snapshotLookupByName, "acert-s2", 0)
        self.assertEqual(dom.snapshotNum(0), 1)
        self.assertEqual(dom.snapshotListNames(0), ["acert-s1"])


class SnapshotTree(SnapshotTest):
    """
    :avocado: tags=area:snapshot
    """

    def test_parent_children(self):
        """
        A chain s1 <- s2 <- s3: getParent, children and descendants, roots and leaves all agree.

        :avocado: tags=cap:snapshot.tree,api:virDomainSnapshotGetParent,api:virDomainSnapshotListAllChildren
        :avocado: tags=api:virDomainSnapshotListChildrenNames,api:virDomainSnapshotNumChildren
        :avocado: tags=api:virDomainListAllSnapshots
        """
        dom, _facts, _vol = self.rt.disk_domain()
        first, second, third = self.chain(dom, "acert-s1", "acert-s2", "acert-s3")
        self.assertEqual(second.getParent(0).getName(), "acert-s1")
        self.assertEqual(third.getParent(0).getName(), "acert-s2")
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, first.getParent, 0)
        self.assertEqual(names(first.listAllChildren(0)), ["acert-s2"])
        descendants = libvirt.VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS
        self.assertEqual(names(first.listAllChildren(descendants)), ["acert-s2", "acert-s3"])
        self.assertEqual(first.listChildrenNames(0), ["acert-s2"])
        self.assertEqual(first.numChildren(0), 1)
        self.assertEqual(first.numChildren(descendants), 2)
        self.assertEqual(third.numChildren(0), 0)
        self.assertEqual(names(dom.listAllSnapshots(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_ROOTS)), ["acert-s1"])
        self.assertEqual(names(dom.listAllSnapshots(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES)), ["acert-s3"])
        self.assertEqual(
            names(dom.listAllSnapshots(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES)), ["acert-s1", "acert-s2"]
        )

    def test_current(self):
        """
        The newest snapshot is the current one: snapshotCurrent, hasCurrentSnapshot and isCurrent
        agree; every snapshot made by the API has metadata.

        :avocado: tags=cap:snapshot.tree,api:virDomainSnapshotCurrent,api:virDomainHasCurrentSnapshot
        :avocado: tags=api:virDomainSnapshotIsCurrent,api:virDomainSnapshotHasMetadata
        """
        dom, _facts, _vol = self.rt.disk_domain()
        self.assertEqual(dom.hasCurrentSnapshot(0), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, dom.snapshotCurrent, 0)
        first = self.create(dom, "acert-s1")
        self.assertEqual(dom.hasCurrentSnapshot(0), 1)
        self.assertEqual(dom.snapshotCurrent(0).getName(), "acert-s1")
        self.assertEqual(first.isCurrent(0), 1)
        second = self.create(dom, "acert-s2")
        self.assertEqual(dom.snapshotCurrent(0).getName(), "acert-s2")
        self.assertEqual(second.isCurrent(0), 1)
        self.assertEqual(first.isCurrent(0), 0, "an older snapshot is still current")
        self.assertEqual(first.hasMetadata(0), 1)
        self.assertEqual(second.hasMetadata(0), 1)

    def test_delete_children(self):
        """
        delete with DELETE_CHILDREN removes the snapshot and its descendants; with
        DELETE_CHILDREN_ONLY the snapshot stays and only its descendants go.

        :avocado: tags=cap:snapshot.tree,api:virDomainSnapshotDelete
        """
        dom, _facts, _vol = self.rt.disk_domain()
        first, _second, _third = self.chain(dom, "acert-s1", "acert-s2", "acert-s3")
        self.assertEqual(first.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY), 0)
        self.assertEqual(dom.snapshotListNames(0), ["acert-s1"])
        self.assertEqual(first.numChildren(0), 0)
        self.create(dom, "acert-s4")
        self.assertEqual(first.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN), 0)
        self.assertEqual(dom.snapshotNum(0), 0)
        self.assertEqual(dom.hasCurrentSnapshot(0), 0)

    def test_delete_metadata_only(self):
        """
        delete with DELETE_METADATA_ONLY forgets the snapshot but leaves its data: an internal
        snapshot stays in the qcow2 image.

        :avocado: tags=cap:snapshot.metadata,api:virDomainSnapshotDelete
        """
        dom, _facts, vol = self.rt.disk_domain(start=False)
        snap = self.create(dom, "acert-meta")
        self.assertEqual(
            self.rt.call_flags(
                "delete(METADATA_ONLY)", snap.delete, libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY
            ),
            0,
        )
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, dom.snapshotLookupByName, "acert-meta", 0)
        self.assertEqual(dom.snapshotNum(0), 0)
        if not self.rt.test_driver:
            listing = subprocess.run(
                ["qemu-img", "snapshot", "-U", "-l", vol.path()],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
            self.assertIn("acert-meta", listing, "METADATA_ONLY removed the snapshot from the image")


class SnapshotRevert(SnapshotTest):
    """
    :avocado: tags=area:snapshot
    """

    def test_revert_running(self):
        """
        Reverting to a snapshot of the running domain brings back its XML of the time and runs it
        (reason FROM_SNAPSHOT); reverting to a shut-off snapshot shuts the domain off.

        :avocado: tags=cap:snapshot.revert,api:virDomainRevertToSnapshot
        """
        dom, _facts, _vol = self.rt.disk_domain(start=False)
        offline = self.create(dom, "acert-off")
        dom.create()
        set_description(dom, "at the snapshot")
        running = self.create(dom, "acert-on")
        set_description(dom, "after the snapshot")
        dom.suspend()
        self.assertEqual(dom.revertToSnapshot(running, 0), 0)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_FROM_SNAPSHOT])
        self.assertEqual(
            description(dom), "at the snapshot", "the XML of the snapshot's time did not come back"
        )
        self.assertEqual(running.isCurrent(0), 1)
        self.assertEqual(dom.revertToSnapshot(offline, 0), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_SHUTOFF, "after revert to a shut-off snapshot")
        self.assertEqual(offline.isCurrent(0), 1)
        self.assertEqual(dom.revertToSnapshot(running, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED), 0)
        self.assert_state(dom, libvirt.VIR_DOMAIN_PAUSED, "after revert with REVERT_PAUSED")

    def test_revert_disk_contents(self):
        """
        Reverting to an internal snapshot brings back the disk contents of the time: a marker
        written into the image after the snapshot is gone, the one before is back.

        :avocado: tags=cap:snapshot.revert_disk,api:virDomainRevertToSnapshot,api:virDomainSnapshotCreateXML
        """
        self.rt.require_host_images()
        dom, _facts, vol = self.rt.disk_domain(start=False)
        self.rt.write_marker(vol.path(), 0x11)
        snap = self.create(dom, "acert-disk", disks=[("vda", "internal", None)])
        self.rt.write_marker(vol.path(), 0x22)
        self.assertTrue(self.rt.has_marker(vol.path(), 0x22))
        self.assertEqual(dom.revertToSnapshot(snap, 0), 0)
        self.assertTrue(
            self.rt.has_marker(vol.path(), 0x11), "the disk contents of the snapshot did not come back"
        )


class SnapshotExternal(SnapshotTest):
    """
    :avocado: tags=area:snapshot,cap:snapshot.external
    """

    def test_disk_only(self):
        """
        A disk-only external snapshot puts a new overlay on top of the disk: the domain's disk is
        the overlay, backed by the old image, and the snapshot XML names it.

        :avocado: tags=api:virDomainSnapshotCreateXML,api:virDomainSnapshotGetXMLDesc
        """
        dom, facts, _vol = self.rt.disk_domain()
        overlay = self.rt.scratch_file("overlay.qcow2")
        snap = self.rt.call_flags(
            "snapshotCreateXML(DISK_ONLY)",
            dom.snapshotCreateXML,
            snapshot_xml("acert-ext", disks=[("vda", "external", overlay)]),
            libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
        )
        self.assertEqual(self.rt.disk_chain(dom)[:2], [overlay, facts["disk"]])
        self.assertTrue(os.path.isfile(overlay), "no overlay file on the host")
        xml = self.rt.xml_of_text(snap.getXMLDesc(0))
        self.assertEqual(xml.findtext("state"), "disk-snapshot")
        disk = xml.find("disks/disk[@name='vda']")
        self.assertEqual(disk.get("snapshot"), "external")
        self.assertEqual(disk.find("source").get("file"), overlay)
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)

    def test_external_memory(self):
        """
        An external snapshot of a running domain with its memory writes the memory to the file named,
        puts an overlay on the disk and leaves the domain running.

        :avocado: tags=api:virDomainSnapshotCreateXML
        """
        self.rt.require_host_images()
        dom, facts, _vol = self.rt.disk_domain()
        memory = self.rt.scratch_file("memory.save")
        overlay = self.rt.scratch_file("memory-overlay.qcow2")
        snap = self.rt.call_flags(
            "snapshotCreateXML(external memory)",
            dom.snapshotCreateXML,
            snapshot_xml(
                "acert-mem", memory="external", memory_file=memory, disks=[("vda", "external", overlay)]
            ),
            0,
        )
        self.assertGreater(os.path.getsize(memory), 0, "the memory file is empty")
        self.assertEqual(self.rt.disk_chain(dom)[:2], [overlay, facts["disk"]])
        xml = self.rt.xml_of_text(snap.getXMLDesc(0))
        self.assertEqual(xml.find("memory").get("snapshot"), "external")
        self.assertEqual(xml.find("memory").get("file"), memory)
        self.assertEqual(xml.findtext("state"), "running")
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)
