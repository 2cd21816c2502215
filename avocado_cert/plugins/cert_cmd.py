"""`avocado cert ...`: registers the subcommands of avocado_cert.commands and runs the chosen one."""

import sys

from avocado.core import exit_codes
from avocado.core.output import LOG_UI
from avocado.core.plugin_interfaces import CLICmd

from avocado_cert.base.errors import CertError
from avocado_cert.commands import COMMANDS


def _out(text):
    LOG_UI.info("%s", text)


class CertCommand(CLICmd):
    name = "cert"
    description = "libvirt API certification: profiles, coverage, reports, bundles"

    def configure(self, parser):
        parser = super().configure(parser)
        subcommands = parser.add_subparsers(dest="cert_subcommand", metavar="sub-command")
        subcommands.required = True
        for module in COMMANDS:
            module.configure(subcommands.add_parser(module.NAME, help=module.HELP))

    def run(self, config):
        wanted = config.get("cert_subcommand")
        for module in COMMANDS:
            if module.NAME == wanted:
                try:
                    return module.run(config, _out)
                except CertError as details:
                    LOG_UI.error("avocado cert %s: %s", wanted, details)
                    return exit_codes.AVOCADO_FAIL
                except KeyboardInterrupt:
                    LOG_UI.error("avocado cert %s: interrupted", wanted)
                    return exit_codes.AVOCADO_JOB_INTERRUPTED
        LOG_UI.error("avocado cert: unknown sub-command %s", wanted)
        sys.exit(exit_codes.AVOCADO_FAIL)
