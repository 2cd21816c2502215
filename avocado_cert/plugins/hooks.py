"""Job hooks of a certification run: preflight before the tests, host-safety check after them.

The host checks (libvirt) are imported only by a certification job: other jobs never load them."""

import os

from avocado.core.exceptions import JobError
from avocado.core.output import LOG_UI
from avocado.core.plugin_interfaces import JobPost, JobPre, ResultEvents

from avocado_cert.base import lastjob
from avocado_cert.base.errors import CertError
from avocado_cert.framework import assets
from avocado_cert.plan import order
from avocado_cert.report import certfiles


def _cert_dir(job):
    return os.path.join(job.logdir, certfiles.CERT_DIR)


class CertHostHooks(JobPre, JobPost):
    name = "cert-host"
    description = "Certification preflight: environment, host lock, stale object sweep, inventory"

    def __init__(self):
        self._lock = None

    def pre(self, job):
        if not job.config.get("cert.profile"):
            return
        from avocado_cert.host import hostcheck  # pylint: disable=import-outside-toplevel
        from avocado_cert.plan import session  # pylint: disable=import-outside-toplevel

        try:
            plan = session.plan_from_config(job.config)
            uris = plan.uris()
            self._lock = hostcheck.lock_host(uris)
            env, swept = hostcheck.preflight(uris, _cert_dir(job), plan.variants)
        except CertError as details:
            raise JobError(f"avocado-cert preflight: {details}") from None
        for variant_id, guest in env["guests"].items():
            LOG_UI.info(
                "avocado-cert: %s boots %s under %s (%s)",
                variant_id,
                guest["image"],
                guest["virt_type"],
                guest["virt_reason"],
            )
        for uri, items in swept.items():
            if items:
                LOG_UI.info("avocado-cert: swept %d stale object(s) from %s", len(items), uri)
        for suite in job.test_suites:
            suite.tests = order.spread(suite.tests)
        assets.skip_unused_prefetch(job)

    def post(self, job):
        if self._lock is not None:
            from avocado_cert.host import hostcheck  # pylint: disable=import-outside-toplevel

            hostcheck.unlock_host(self._lock)
        self._lock = None
        if job.config.get("cert.profile") and os.path.isdir(_cert_dir(job)):
            lastjob.record(job.logdir)  # `avocado cert bundle latest` finds it wherever it was written


class CertHostCheck(ResultEvents):
    name = "cert-host"
    description = "Certification host-safety check after the tests"

    def __init__(self, config):
        self.config = config

    def pre_tests(self, job):
        pass

    def start_test(self, result, state):
        pass

    def test_progress(self, progress=False):
        pass

    def end_test(self, result, state):
        pass

    def post_tests(self, job):
        if job.config.get("cert.profile"):
            from avocado_cert.host import hostcheck  # pylint: disable=import-outside-toplevel

            hostcheck.postcheck(_cert_dir(job))
