"""Domain checkpoints (dirty-block tracking points on qcow2 disks of a running domain) and the
push-mode backups that read from them."""

import os

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import MIB, Runtime
from avocado_cert.testing.snapshot import checkpoint as checkpoint_xml
from avocado_cert.testing.snapshot import push_backup


def names(checkpoints):
    return sorted(cp.getName() for cp in checkpoints)


class CheckpointTest(CertTest):
    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def create(self, dom, name, **kwargs):
        return dom.checkpointCreateXML(checkpoint_xml(name, **kwargs), 0)


class Checkpoints(CheckpointTest):
    """
    :avocado: tags=area:checkpoint,cap:checkpoint.basic
    """

    def test_create_lookup_list(self):
        """
        Checkpoints of a running domain's qcow2 disk are found by name and listed; their XML names
        them, their description, their parent and a bitmap on the disk.

        :avocado: tags=api:virDomainCheckpointCreateXML,api:virDomainCheckpointLookupByName
        :avocado: tags=api:virDomainListAllCheckpoints,api:virDomainCheckpointGetXMLDesc
        :avocado: tags=api:virDomainCheckpointGetName,api:virDomainCheckpointGetDomain
        :avocado: tags=api:virDomainCheckpointGetConnect
        """
        dom, _facts, _vol = self.rt.disk_domain()
        self.assertEqual(dom.listAllCheckpoints(0), [])
        first = self.create(dom, "acert-c1", description="first")
        self.create(dom, "acert-c2", description="second")
        self.assertEqual(first.getName(), "acert-c1")
        self.assertEqual(first.getDomain().UUIDString(), dom.UUIDString())
        self.assertEqual(first.getConnect().getURI(), self.conn.getURI())
        self.assertEqual(names(dom.listAllCheckpoints(0)), ["acert-c1", "acert-c2"])
        found = dom.checkpointLookupByName("acert-c2", 0)
        xml = self.rt.xml_of_text(found.getXMLDesc(0))
        self.assertEqual(xml.findtext("name"), "acert-c2")
        self.assertEqual(xml.findtext("description"), "second")
        self.assertEqual(xml.findtext("parent/name"), "acert-c1")
        disk = xml.find("disks/disk[@name='vda']")
        self.assertIsNotNone(disk, "the checkpoint XML does not name the disk")
        self.assertEqual(disk.get("checkpoint"), "bitmap")
        self.assertEqual(xml.findtext("domain/uuid"), dom.UUIDString())
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_CHECKPOINT, dom.checkpointLookupByName, "acert-none", 0)

    def test_parent_children(self):
        """
        A chain c1 <- c2 <- c3: getParent, children, descendants, roots and leaves agree.

        :avocado: tags=api:virDomainCheckpointGetParent,api:virDomainCheckpointListAllChildren
        :avocado: tags=api:virDomainListAllCheckpoints
        """
        dom, _facts, _vol = self.rt.disk_domain()
        first, second, third = (self.create(dom, name) for name in ("acert-c1", "acert-c2", "acert-c3"))
        self.assertEqual(second.getParent(0).getName(), "acert-c1")
        self.assertEqual(third.getParent(0).getName(), "acert-c2")
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_CHECKPOINT, first.getParent, 0)
        self.assertEqual(names(first.listAllChildren(0)), ["acert-c2"])
        self.assertEqual(
            names(first.listAllChildren(libvirt.VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS)),
            ["acert-c2", "acert-c3"],
        )
        self.assertEqual(
            names(dom.listAllCheckpoints(libvirt.VIR_DOMAIN_CHECKPOINT_LIST_ROOTS)), ["acert-c1"]
        )
        self.assertEqual(
            names(dom.listAllCheckpoints(libvirt.VIR_DOMAIN_CHECKPOINT_LIST_LEAVES)), ["acert-c3"]
        )

    def test_delete(self):
        """
        Deleting a checkpoint removes it (lookup fails with VIR_ERR_NO_DOMAIN_CHECKPOINT) and its child
        is re-parented; DELETE_CHILDREN removes a checkpoint with its descendants.

        :avocado: tags=api:virDomainCheckpointDelete,api:virDomainCheckpointGetParent
        """
        dom, _facts, _vol = self.rt.disk_domain()
        first, second, third = (self.create(dom, name) for name in ("acert-c1", "acert-c2", "acert-c3"))
        self.assertEqual(second.delete(0), 0)
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_CHECKPOINT, dom.checkpointLookupByName, "acert-c2", 0)
        self.assertEqual(third.getParent(0).getName(), "acert-c1", "the child was not re-parented")
        self.assertEqual(first.delete(libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN), 0)
        self.assertEqual(dom.listAllCheckpoints(0), [])

    def test_delete_metadata_only(self):
        """
        delete with DELETE_METADATA_ONLY forgets the checkpoint.

        :avocado: tags=api:virDomainCheckpointDelete
        """
        dom, _facts, _vol = self.rt.disk_domain()
        cp = self.create(dom, "acert-meta")
        self.assertEqual(
            self.rt.call_flags(
                "delete(METADATA_ONLY)", cp.delete, libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY
            ),
            0,
        )
        self.expect_error(libvirt.VIR_ERR_NO_DOMAIN_CHECKPOINT, dom.checkpointLookupByName, "acert-meta", 0)


class Backup(CheckpointTest):
    """
    :avocado: tags=area:checkpoint,cap:checkpoint.backup
    """

    def wait_backup(self, dom):
        """Wait for the backup job to end; return its completed-job statistics."""
        self.wait_for(
            lambda: dom.jobInfo()[0] == libvirt.VIR_DOMAIN_JOB_NONE,
            60,
            step=0.1,
            what="the backup job to end",
        )
        return dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)

    def test_push_full(self):
        """
        A push backup copies the disk to the target file: backupGetXMLDesc describes the running job,
        the job completes, and the target holds the disk's contents.

        :avocado: tags=api:virDomainBackupBegin,api:virDomainBackupGetXMLDesc
        """
        self.rt.require_host_images()
        vol = self.rt.volume()
        self.rt.write_marker(vol.path(), 0x5A, offset=MIB)
        dom, _facts = self.rt.domain(disk=vol.path())
        target = self.rt.scratch_file("full.qcow2")
        self.assertEqual(dom.backupBegin(push_backup(target), None, 0), 0)
        try:
            described = self.rt.xml_of_text(dom.backupGetXMLDesc(0))
            self.assertEqual(described.get("mode"), "push")
            self.assertEqual(described.find("disks/disk[@name='vda']/target").get("file"), target)
        except libvirt.libvirtError as err:
            # The job may already be over: then there is no backup to describe.
            if err.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN_BACKUP:
                raise
            self.log.info("the backup ended before it could be described")
        stats = self.wait_backup(dom)
        self.assertEqual(stats.get("operation"), libvirt.VIR_DOMAIN_JOB_OPERATION_BACKUP)
        self.assertTrue(stats.get("success"), f"the backup job did not succeed: {stats}")
        self.assertTrue(os.path.isfile(target), "no backup file")
        self.assertTrue(self.rt.has_marker(target, 0x5A, offset=MIB), "the backup lacks the disk's contents")

    def test_push_incremental(self):
        """
        A full backup that creates a checkpoint, then an incremental backup since it: the full copy
        holds the disk's data; the increment, with nothing written in between, holds no data of its own.

        :avocado: tags=api:virDomainBackupBegin,api:virDomainCheckpointCreateXML
        """
        self.rt.require_host_images()
        vol = self.rt.volume()
        self.rt.write_marker(vol.path(), 0x5A, offset=MIB)
        dom, _facts = self.rt.domain(disk=vol.path())
        full = self.rt.scratch_file("full.qcow2")
        dom.backupBegin(push_backup(full), checkpoint_xml("acert-base"), 0)
        full_stats = self.wait_backup(dom)
        self.assertEqual(names(dom.listAllCheckpoints(0)), ["acert-base"], "backupBegin made no checkpoint")
        self.assertTrue(self.rt.has_marker(full, 0x5A, offset=MIB), "the full backup lacks the disk's data")
        incremental = self.rt.scratch_file("incremental.qcow2")
        dom.backupBegin(push_backup(incremental, incremental="acert-base"), None, 0)
        stats = self.wait_backup(dom)
        self.log.info("full backup: %s; incremental: %s", full_stats, stats)
        self.assertTrue(stats.get("success"), f"the incremental backup did not succeed: {stats}")
        self.assertTrue(os.path.isfile(incremental), "no incremental backup file")
        # The increment is an overlay of the disk: what did not change is read through its backing chain.
        self.assertEqual(self.rt.own_data(incremental), [], "the increment copied unchanged data")
