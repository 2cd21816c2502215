"""Make `avocado run --cert-profile` exit with the verdict's status (see avocado_cert.report.exitcodes)."""

import json
import os
import sys

from avocado.core.plugin_interfaces import JobPost, JobPre

from avocado_cert.report import certfiles


class VerdictExit(JobPre, JobPost):
    # Registered as "zz-cert-verdict": post hooks run in name order and this one ends the process,
    # so it must come after every other plugin's post hook.
    name = "zz-cert-verdict"
    description = "Exit status of a certification run: 0 CERTIFIED, 1 NOT CERTIFIED, 3 INCOMPLETE"

    def pre(self, job):
        pass

    def post(self, job):
        if not job.config.get("cert.profile") or not job.config.get("cert.exit_code_from_verdict"):
            return
        path = os.path.join(job.logdir, certfiles.CERT_DIR, "report.json")
        try:
            with open(path, encoding="utf-8") as src:
                verdict = json.load(src)["verdict"]
        except (OSError, ValueError, KeyError):
            return  # no report (the job failed before scoring): Avocado's own status stands
        from avocado_cert.report import exitcodes  # pylint: disable=import-outside-toplevel

        sys.exit(exitcodes.from_verdict(verdict))
