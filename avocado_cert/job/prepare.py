"""Before `avocado run`, `list` or `variants` resolves its tests: the certification plan turned into
the job's settings (references, spawner, parallelism, the Avocado-VT job file), and a run whose target
does not answer refused before the job starts. Any problem is one line on stderr and exit 2."""

import sys

from avocado.core.output import LOG_UI

from avocado_cert.base.errors import CertError
from avocado_cert.base.folders import writable_folder
from avocado_cert.framework import safeloader
from avocado_cert.host import driverprobe, reachability
from avocado_cert.job import settings as job_settings
from avocado_cert.plan import session
from avocado_cert.report import exitcodes
from avocado_cert.vt import job as vt


def prepare(config, argv):
    safeloader.install()  # before Avocado's resolver reads the suite
    if config.get("subcommand") == "run" and config.get("run.results_dir"):
        try:
            writable_folder(config.get("run.results_dir"), "--job-results-dir")
        except CertError as details:
            LOG_UI.error("avocado-cert: %s", details)
            sys.exit(exitcodes.USAGE)
    if not config.get("cert.profile"):
        # A QE job that names the suite's Cartesian file: its settings, so the user needs none.
        vt.prepare_job(config)
        return
    try:
        plan = session.plan_from_config(config)
        parallelism = job_settings.apply_to_config(plan, config, argv)
        if plan.runner == "vt":
            vt.prepare_job(config)
    except CertError as details:
        LOG_UI.error("avocado-cert: %s", details)
        sys.exit(exitcodes.USAGE)
    if config.get("subcommand") == "run":
        # Before the job: no job, no report of MISSING tests. A profile of a driver that needs another
        # host (refuse_unreachable) says what libvirt answered for it here; any other target that does
        # not answer is the wrong URI or a daemon not started.
        refused = driverprobe.refusals(plan) + reachability.unreachable(plan)
        for line in refused:
            LOG_UI.error("avocado-cert: %s", line)
        if refused:
            sys.exit(exitcodes.USAGE)
        print(parallelism, file=sys.stderr)
