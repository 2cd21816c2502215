"""`avocado run` of a profile whose driver is not on this host (refuse_unreachable: true) stops before
the job starts: exit 2 and, per target, what libvirt answered for it here (docs/drivers.md)."""

import sys

from avocado.core.output import LOG_UI
from avocado.core.plugin_interfaces import CLI

from avocado_cert.base.errors import CertError
from avocado_cert.host import driverprobe
from avocado_cert.plan import session
from avocado_cert.report import exitcodes


class DriverRefusalCLI(CLI):
    name = "cert-refusal"
    description = "Refuse a certification run whose driver does not answer on this host"

    def configure(self, parser):
        pass  # the options are cert-profile's

    def run(self, config):
        if config.get("subcommand") != "run" or not config.get("cert.profile"):
            return
        try:
            plan = session.plan_from_config(config)
        except CertError:
            return  # cert-profile reports a bad profile itself
        refused = driverprobe.refusals(plan)
        for line in refused:
            LOG_UI.error("avocado-cert: %s", line)
        if refused:
            sys.exit(exitcodes.USAGE)
