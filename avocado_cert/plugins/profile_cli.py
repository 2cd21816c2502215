"""--cert-profile / --cert-variant / --cert-criteria for `avocado run`, `list` and `variants`.

Runs before the suite is resolved: validates the profile(s) and turns them into test references
and job settings. Any problem is one line on stderr and a non-zero exit.
"""

import sys

from avocado.core.plugin_interfaces import CLI
from avocado.core.settings import settings

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
        # Loaded on use: commands that resolve no tests never pay for the suite's modules.
        from avocado_cert.job import prepare  # pylint: disable=import-outside-toplevel

        prepare.prepare(config, sys.argv)
