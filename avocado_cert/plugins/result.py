"""The certification result plugin: scores the job and prints the verdict with the report's path."""

import os

from avocado.core.output import LOG_UI
from avocado.core.plugin_interfaces import Result

from avocado_cert import jobreport, report, results, session
from avocado_cert.errors import CertError


def _expected(job, variant_ids):
    """(test, variant) -> tags of every test x variant the job was asked to run."""
    expected = {}
    for suite in getattr(job, "test_suites", None) or []:
        for runnable in getattr(suite, "tests", None) or []:
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

    def render(self, result, job):
        spec = job.config.get("cert.profile")
        if not spec:
            return
        try:
            plan = session.plan_from_config(job.config)
        except CertError as details:
            LOG_UI.error("avocado-cert: %s", details)
            return
        entries = results.entries_from_result(result.tests)
        document = jobreport.produce(
            job.logdir,
            plan,
            spec,
            entries,
            expected=_expected(job, [v.id for v in plan.variants]),
            interrupted=bool(result.interrupted),
            job_info=jobreport.job_info(
                job.unique_id, job.logdir, result.job_start_date_time, getattr(job, "time_elapsed", None)
            ),
        )
        path = os.path.join(job.logdir, report.CERT_DIR, "report.html")
        LOG_UI.info("%s", report.summary(document, path))
