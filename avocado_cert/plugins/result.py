"""The certification result plugin: scores the job and prints the verdict with the report's path."""

import os

from avocado.core.output import LOG_UI
from avocado.core.plugin_interfaces import Result

from avocado_cert.base.errors import CertError

VT_KIND = "avocado-vt"  # vt.job.KIND, without importing it for jobs that certify nothing


def _runnables(job):
    return [runnable for suite in getattr(job, "test_suites", None) or [] for runnable in suite.tests or []]


def _expected(runnables, variant_ids):
    """(test, variant) -> tags of every native test x variant the job was asked to run."""
    from avocado_cert.report import results  # pylint: disable=import-outside-toplevel

    expected = {}
    for runnable in runnables:
        if runnable.kind == VT_KIND:
            continue
        tags = runnable.tags or {}
        info = {
            "area": (results.tag_values(tags, "area") or ("",))[0],
            "caps": results.tag_values(tags, "cap"),
            "apis": results.tag_values(tags, "api"),
        }
        for vid in variant_ids:
            expected[(runnable.uri, vid)] = info
    return expected


class CertResult(Result):
    name = "cert"
    description = "Certification report: score against the criteria, verdict, rerun commands"

    def render(self, result, job):  # pylint: disable=too-many-locals
        runnables = _runnables(job)
        spec = job.config.get("cert.profile")
        if not spec and not any(runnable.kind == VT_KIND for runnable in runnables):
            return  # certifies nothing: the suite's modules are not even loaded
        # pylint: disable=import-outside-toplevel
        from avocado_cert.plan import session
        from avocado_cert.report import jobreport, results
        from avocado_cert.report import writer as report
        from avocado_cert.vt import job as vt

        vt_tests = vt.cert_tests(runnables)
        rerun_command = None
        try:
            if spec:
                plan = session.plan_from_config(job.config)
                if job.config.get("cert.runner"):
                    rerun_command = vt.profile_rerun_for(plan, spec, job.config)
            elif vt_tests:
                # A QE job with certification variants: they name their profiles and variants.
                spec, variant_ids = vt.profile_spec(vt_tests)
                plan = session.plan(spec, variant_ids, job.config.get("cert.criteria"), "vt")
                rerun_command = vt.rerun_for(vt_tests, job.config)
            else:
                return
        except CertError as details:
            LOG_UI.error("avocado-cert: %s", details)
            return
        if vt_tests:
            vt.save(os.path.join(job.logdir, report.CERT_DIR), vt_tests)
        if plan.runner == "vt":
            entries = vt.entries(result.tests, vt_tests)
            expected = vt.expected(vt_tests)
        else:
            entries = results.entries_from_result(result.tests)
            expected = _expected(runnables, [v.id for v in plan.variants])
        document = jobreport.produce(
            job.logdir,
            plan,
            spec,
            entries,
            expected=expected,
            interrupted=bool(result.interrupted),
            job_info=jobreport.job_info(
                job.unique_id, job.logdir, result.job_start_date_time, getattr(job, "time_elapsed", None)
            ),
            rerun_command=rerun_command,
        )
        path = os.path.join(job.logdir, report.CERT_DIR, "report.html")
        LOG_UI.info("%s", report.summary(document, path))
