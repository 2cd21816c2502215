"""--cert-profile / --cert-variant / --cert-criteria for `avocado run`, `list` and `variants`.

Runs before the suite is resolved: validates the profile(s) and turns them into test references
and job settings. Any problem is one line on stderr and a non-zero exit.
"""

import sys

from avocado.core.output import LOG_UI
from avocado.core.plugin_interfaces import CLI
from avocado.core.settings import settings

from avocado_cert.base.errors import CertError
from avocado_cert.base.folders import writable_folder
from avocado_cert.host import reachability
from avocado_cert.job import settings as job_settings
from avocado_cert.plan import session
from avocado_cert.report import exitcodes
from avocado_cert.vt import job as vt

SUBCOMMANDS = ("run", "list", "variants")


class CertProfileCLI(CLI):
    name = "cert-profile"
    description = "Certification profile options for 'run', 'list' and 'variants'"

    def configure(self, parser):
        for name in SUBCOMMANDS:
            subparser = parser.subcommands.choices.get(name)
            if subparser is None:
                continue
            group = subparser.add_argument_group("certification")
            # allow_multiple: the same option is attached to several subcommands' parsers.
            settings.add_argparser_to_option(
                namespace="cert.profile",
                parser=group,
                long_arg="--cert-profile",
                metavar="NAME",
                allow_multiple=True,
            )
            settings.add_argparser_to_option(
                namespace="cert.variant",
                parser=group,
                long_arg="--cert-variant",
                metavar="ID",
                action="append",
                allow_multiple=True,
            )
            settings.add_argparser_to_option(
                namespace="cert.runner",
                parser=group,
                long_arg="--cert-runner",
                metavar="RUNNER",
                allow_multiple=True,
            )
            settings.add_argparser_to_option(
                namespace="cert.criteria",
                parser=group,
                long_arg="--cert-criteria",
                metavar="VERSION",
                allow_multiple=True,
            )
            settings.add_argparser_to_option(
                namespace="cert.combination_order",
                parser=group,
                long_arg="--cert-combination-order",
                metavar="N",
                allow_multiple=True,
            )

    def run(self, config):
        if config.get("subcommand") not in SUBCOMMANDS:
            return
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
            parallelism = job_settings.apply_to_config(plan, config, sys.argv)
            if plan.runner == "vt":
                vt.prepare_job(config)
        except CertError as details:
            LOG_UI.error("avocado-cert: %s", details)
            sys.exit(exitcodes.USAGE)
        if config.get("subcommand") == "run":
            unreachable = reachability.unreachable(plan)
            for line in unreachable:
                LOG_UI.error("avocado-cert: %s", line)
            if unreachable:
                sys.exit(exitcodes.USAGE)  # before the job: no job, no report of MISSING tests
        if config.get("subcommand") == "run":
            print(parallelism, file=sys.stderr)
