"""Registers the certification options as Avocado settings (command line and config files)."""

from avocado.core.plugin_interfaces import Init
from avocado.core.settings import settings

from avocado_cert.vt import provider, quiet


class CertInit(Init):
    name = "cert"
    description = "Certification settings: profile, variant selection, criteria"

    def initialize(self):
        # Before the CLI plugins load: Avocado-VT's would print tracebacks and warnings otherwise.
        quiet.install()
        provider.register_if_missing()
        settings.register_option(
            section="cert",
            key="profile",
            default=None,
            help_msg="Certification profile(s) to run: a name from cfg/profiles, a path to a "
            "profile YAML file, or several separated by commas",
        )
        settings.register_option(
            section="cert",
            key="variant",
            default=[],
            key_type=list,
            help_msg="Run only these certification variants (ids as printed in reports)",
        )
        settings.register_option(
            section="cert",
            key="criteria",
            default=None,
            help_msg="Score against this criteria version or file instead of the profile's own",
        )
        settings.register_option(
            section="cert",
            key="runner",
            default=None,
            help_msg="Run the profile's tests through this runner instead of the profile's own "
            "(avocado: native Avocado tests; vt: Avocado-VT variants, one at a time)",
        )
        settings.register_option(
            section="cert",
            key="combination_order",
            default=-1,
            key_type=int,
            help_msg="Reduce the cross of the profile's axes to cover every N-tuple of axis values "
            "(2: pairwise); 0: the full cross; -1: what the profile says",
        )
        settings.register_option(
            section="cert",
            key="exit_code_from_verdict",
            default=True,
            key_type=bool,
            help_msg="Exit a certification run with its verdict: 0 CERTIFIED, 1 NOT CERTIFIED, "
            "2 usage error, 3 INCOMPLETE (false: Avocado's own exit status)",
        )
