"""The plan of one certification job: profiles, selected variants, criteria, references, parallelism.

Built the same way by every plugin from the job's config, so the CLI, the varianter, the hooks and
the scorer agree on what the job certifies.
"""

import os
from dataclasses import dataclass

from avocado_cert import criteria as criteria_mod
from avocado_cert import profile as profile_mod
from avocado_cert import variants as variants_mod


@dataclass
class Plan:
    profiles: list
    variants: list
    criteria: dict  # profile name -> Criteria
    criteria_override: str
    references: list
    parallel: int

    def profile_refs(self, spec):
        """profile name -> what was given to --cert-profile for it (name or path)."""
        given = [part.strip() for part in spec.split(",") if part.strip()]
        return {prof.name: ref for prof, ref in zip(self.profiles, given)}

    def variant_profiles(self):
        return {variant.id: variant.profile for variant in self.variants}

    def uris(self):
        """The distinct connection URIs of the selected variants, in order."""
        seen = []
        for variant in self.variants:
            uri = variant.params.get("uri")
            if uri and uri not in seen:
                seen.append(uri)
        return seen


def _variant_ids(config):
    ids = []
    given = config.get("cert.variant") or []
    for entry in [given] if isinstance(given, str) else given:
        ids.extend(part.strip() for part in str(entry).split(",") if part.strip())
    return ids


def plan(profile_spec, variant_ids=(), criteria_override=None):
    profiles = profile_mod.load_many(profile_spec)
    crossed = variants_mod.cross_many(profiles)
    selected = variants_mod.select(crossed, list(variant_ids))
    loaded = {}
    by_profile = {}
    for prof in profiles:
        ref = criteria_override or prof.criteria
        if ref not in loaded:
            loaded[ref] = criteria_mod.load(ref)
        by_profile[prof.name] = loaded[ref]
    references = []
    for prof in profiles:
        references.extend(r for r in prof.references if r not in references)
    parallel = max((p.parallel for p in profiles if p.parallel), default=None) or os.cpu_count() or 1
    return Plan(profiles, selected, by_profile, criteria_override, references, parallel)


def plan_from_config(config):
    return plan(config.get("cert.profile"), _variant_ids(config), config.get("cert.criteria"))


def _given_on_command_line(argv, flag):
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def apply_to_config(the_plan, config, argv):
    """Fill the job settings the profile decides, leaving alone what the user set explicitly."""
    if not config.get("resolver.references"):
        config["resolver.references"] = list(the_plan.references)
    if not _given_on_command_line(argv, "--max-parallel-tasks"):
        # Avocado-VT's packaged config makes every job serial; a certification job sets its own.
        config["run.max_parallel_tasks"] = the_plan.parallel
        config["nrunner.max_parallel_tasks"] = the_plan.parallel
