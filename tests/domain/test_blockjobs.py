"""Disk operations on a running domain: resize, and the block jobs (pull, rebase, commit, copy) with
their queries and controls. Each job is checked by the backing chain the live XML reports and by
the data the images hold when read offline (markers written with qemu-io before the domain starts)."""

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import MIB, Runtime

BASE_MARK, MID_MARK, TOP_MARK = 0x11, 0x22, 0x33


class BlockTest(CertTest):
    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def chain_domain(self, depth=2):
        """A running transient domain on a qcow2 chain base <- ... <- top, each layer marked at its own
        offset. Returns (dom, [images top first])."""
        if self.rt.test_driver:
            dom, facts, _vol = self.rt.disk_domain()
            # A driver without block jobs answers VIR_ERR_NO_SUPPORT here (UNSUPPORTED).
            dom.blockJobInfo(facts["target"], 0)
        self.rt.require_host_images()
        marks = (BASE_MARK, MID_MARK, TOP_MARK)
        layers = [self.rt.volume()]
        for _ in range(depth - 1):
            layers.append(self.rt.volume(backing=layers[-1]))
        for index, vol in enumerate(layers):
            self.rt.write_marker(vol.path(), marks[index], offset=index * MIB)
        dom, _facts = self.rt.domain(transient=True, disk=layers[-1].path())
        images = [vol.path() for vol in reversed(layers)]
        self.assertEqual(
            self.rt.disk_chain(dom)[:depth], images, "the live XML does not show the backing chain"
        )
        return dom, images

    def stop(self, dom):
        """Stop QEMU so that it writes its cached image metadata: only then do offline reads see it."""
        dom.destroy()


class BlockResize(BlockTest):
    """
    :avocado: tags=area:domain,cap:domain.block_resize
    """

    def test_resize(self):
        """
        blockResize grows the disk of a running domain: blockInfo and the volume report the new size,
        in bytes with RESIZE_BYTES and in KiB without.

        :avocado: tags=api:virDomainBlockResize
        """
        dom, facts, vol = self.rt.disk_domain()
        self.assertEqual(dom.blockResize(facts["target"], 96 * MIB, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES), 0)
        self.assertEqual(dom.blockInfo(facts["target"], 0)[0], 96 * MIB)
        self.assertEqual(dom.blockResize(facts["target"], 128 * 1024, 0), 0)
        self.assertEqual(
            dom.blockInfo(facts["target"], 0)[0], 128 * MIB, "a size without RESIZE_BYTES is KiB"
        )
        if not self.rt.test_driver:
            self.rt.pool().refresh(0)
            self.assertEqual(vol.info()[1], 128 * MIB, "the image on the host did not grow")
        self.expect_error(
            libvirt.VIR_ERR_INVALID_ARG,
            dom.blockResize,
            "vdz",
            128 * MIB,
            libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES,
        )


class BlockJobs(BlockTest):
    """
    :avocado: tags=area:domain,cap:domain.block_jobs
    """

    def test_no_job(self):
        """
        A disk with no job has no job info, and aborting its job is refused.

        :avocado: tags=api:virDomainGetBlockJobInfo,api:virDomainBlockJobAbort
        """
        dom, facts, _vol = self.rt.disk_domain()
        self.assertEqual(dom.blockJobInfo(facts["target"], 0), {})
        self.expect_error(
            (libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_OPERATION_INVALID),
            dom.blockJobAbort,
            facts["target"],
            0,
        )

    def test_pull(self):
        """
        blockPull copies the backing data into the top image and drops the backing chain.

        :avocado: tags=api:virDomainBlockPull,api:virDomainGetBlockJobInfo
        """
        dom, (top, base) = self.chain_domain(2)
        self.assertEqual(dom.blockPull("vda", 0, 0), 0)
        self.rt.wait_block_job_gone(dom)
        self.assertEqual(self.rt.disk_chain(dom), [top], "the backing chain is still there")
        self.stop(dom)
        self.assertTrue(self.rt.has_marker(top, BASE_MARK, offset=0), "the base's data was not pulled up")
        self.assertTrue(self.rt.has_marker(base, BASE_MARK, offset=0))

    def test_rebase_partial(self):
        """
        blockRebase onto the base pulls only the middle layer into the top: the chain becomes top <- base.

        :avocado: tags=api:virDomainBlockRebase
        """
        dom, (top, mid, base) = self.chain_domain(3)
        self.assertEqual(dom.blockRebase("vda", base, 0, 0), 0)
        self.rt.wait_block_job_gone(dom)
        self.assertEqual(self.rt.disk_chain(dom), [top, base])
        self.assertNotIn(mid, self.rt.disk_chain(dom))
        self.stop(dom)
        self.assertIn(
            (MIB, 65536), self.rt.own_data(top), "the middle layer's data was not pulled into the top"
        )

    def test_commit_active(self):
        """
        blockCommit of the active layer copies the top into the base; the job waits to be pivoted; after
        the pivot the disk is the base, which holds the top's data.

        :avocado: tags=api:virDomainBlockCommit,api:virDomainGetBlockJobInfo,api:virDomainBlockJobAbort
        """
        dom, (top, base) = self.chain_domain(2)
        self.assertEqual(dom.blockCommit("vda", None, None, 0, libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE), 0)
        info = self.rt.wait_block_job_ready(dom)
        self.assertEqual(info["type"], libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT)
        self.assertEqual(dom.blockJobAbort("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT), 0)
        self.rt.wait_block_job_gone(dom)
        self.assertEqual(self.rt.disk_chain(dom), [base], "the disk is not the base after the pivot")
        self.stop(dom)
        self.assertTrue(self.rt.has_marker(base, MID_MARK, offset=MIB), "the top's data is not in the base")
        self.assertTrue(self.rt.has_marker(top, MID_MARK, offset=MIB))

    def test_commit_middle(self):
        """
        blockCommit of a middle layer into the base ends by itself and drops the middle from the chain.

        :avocado: tags=api:virDomainBlockCommit
        """
        dom, (top, mid, base) = self.chain_domain(3)
        self.assertEqual(dom.blockCommit("vda", base, mid, 0, 0), 0)
        self.rt.wait_block_job_gone(dom)
        self.assertEqual(self.rt.disk_chain(dom), [top, base])
        self.stop(dom)
        self.assertTrue(
            self.rt.has_marker(base, MID_MARK, offset=MIB), "the middle's data is not in the base"
        )

    def test_copy_speed_pivot(self):
        """
        blockCopy mirrors the disk to a new image; blockJobSetSpeed sets the bandwidth blockJobInfo
        reports; after the pivot the disk is the copy, which holds the disk's data.

        :avocado: tags=api:virDomainBlockCopy,api:virDomainBlockJobSetSpeed,api:virDomainBlockJobAbort
        :avocado: tags=api:virDomainGetBlockJobInfo
        """
        dom, (top, _base) = self.chain_domain(2)
        copy = self.rt.scratch_file("copy.qcow2")
        dest = f"<disk type='file'><source file='{copy}'/><driver type='qcow2'/></disk>"
        self.assertEqual(dom.blockCopy("vda", dest, {libvirt.VIR_DOMAIN_BLOCK_COPY_BANDWIDTH: 8 * MIB}, 0), 0)
        info = self.rt.wait_block_job_ready(dom)
        self.assertEqual(info["type"], libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COPY)
        self.assertEqual(dom.blockJobSetSpeed("vda", 4, 0), 0)
        self.assertEqual(dom.blockJobInfo("vda", 0)["bandwidth"], 4, "bandwidth (MiB/s) not as set")
        self.assertEqual(
            dom.blockJobSetSpeed("vda", 2 * MIB, libvirt.VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES), 0
        )
        self.assertEqual(
            dom.blockJobInfo("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES)["bandwidth"],
            2 * MIB,
            "bandwidth (bytes/s) not as set",
        )
        self.assertEqual(dom.blockJobAbort("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT), 0)
        self.rt.wait_block_job_gone(dom)
        self.assertEqual(self.rt.disk_chain(dom), [copy], "the disk is not the copy after the pivot")
        self.stop(dom)
        for offset, mark in ((0, BASE_MARK), (MIB, MID_MARK)):
            self.assertTrue(self.rt.has_marker(copy, mark, offset=offset), f"the copy lacks 0x{mark:02x}")
        self.assertTrue(self.rt.has_marker(top, MID_MARK, offset=MIB))

    def test_copy_abort(self):
        """
        Aborting a copy without pivot ends the job and leaves the disk on its original image.

        :avocado: tags=api:virDomainBlockRebase,api:virDomainBlockJobAbort
        """
        dom, (top, base) = self.chain_domain(2)
        copy = self.rt.scratch_file("abandoned.qcow2")
        self.assertEqual(dom.blockRebase("vda", copy, 0, libvirt.VIR_DOMAIN_BLOCK_REBASE_COPY), 0)
        self.rt.wait_block_job_ready(dom)
        self.assertEqual(dom.blockJobAbort("vda", 0), 0)
        self.rt.wait_block_job_gone(dom)
        self.assertEqual(self.rt.disk_chain(dom), [top, base], "abort without pivot changed the disk")
