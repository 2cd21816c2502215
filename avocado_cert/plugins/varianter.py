"""The cert varianter: the selected variants of the --cert-profile plan, as Avocado variants."""

from avocado.core import varianter
from avocado.core.plugin_interfaces import Varianter
from avocado.core.tree import TreeNode


class CertVarianter(Varianter):
    name = "cert"
    description = "Certification variants: the profile's axes (driver, arch, transport, ...) crossed"

    def initialize(self, config):
        # pylint: disable=attribute-defined-outside-init
        self.variants = []
        if config.get("cert.profile"):
            from avocado_cert.plan import session  # pylint: disable=import-outside-toplevel

            plan = session.plan_from_config(config)
            # Avocado-VT variants carry their profile variant in their Cartesian params instead.
            self.variants = plan.variants if plan.runner != "vt" else []

    def __iter__(self):
        for variant in self.variants:
            yield {
                "variant_id": variant.id,
                "variant": [TreeNode("", variant.params)],
                "paths": ["/"],
            }

    def __len__(self):
        return len(self.variants)

    def to_str(self, summary, variants, **kwargs):
        if not self.variants or not variants:
            return ""
        out = [f"Certification variants ({len(self.variants)}):"]
        for variant in self:
            out.extend(varianter.variant_to_str(variant, variants - 1, kwargs, False))
        return "\n".join(out)
