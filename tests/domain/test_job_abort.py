"""abortJobFlags: with no flag it cancels a running save like abortJob; with no job it is refused,
with or without VIR_DOMAIN_ABORT_JOB_POSTCOPY (which only a post-copy migration takes)."""

import os

import libvirt

from avocado_cert.testing import CertTest
from avocado_cert.testing.runtime import Runtime


class AbortJobFlags(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.abort_job_flags
    """

    def setUp(self):
        super().setUp()
        self.rt = Runtime(self)

    def test_abort_idle(self):
        """
        With no job running, abortJobFlags(0) and abortJobFlags(POSTCOPY) are refused with
        VIR_ERR_OPERATION_INVALID and the domain runs on.

        :avocado: tags=api:virDomainAbortJobFlags
        """
        dom, _facts = self.rt.domain()
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, dom.abortJobFlags, 0)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID, dom.abortJobFlags, libvirt.VIR_DOMAIN_ABORT_JOB_POSTCOPY
        )
        self.assert_state(dom, libvirt.VIR_DOMAIN_RUNNING)

    def test_abort_save(self):
        """
        abortJobFlags(0) during a save cancels it: the save fails with VIR_ERR_OPERATION_ABORTED, no
        image is left and the domain runs on.

        :avocado: tags=api:virDomainAbortJobFlags
        """
        dom, _facts, _vol = self.rt.disk_domain(memory_kib=262144)
        self.expect_error(
            libvirt.VIR_ERR_OPERATION_INVALID, dom.abortJobFlags, 0
        )  # UNSUPPORTED where missing
        path = self.rt.scratch_file("aborted.save")
        self.rt.abort_save(dom, path, lambda: dom.abortJobFlags(0))
        self.assertFalse(os.path.exists(path), "the aborted save left its image")
