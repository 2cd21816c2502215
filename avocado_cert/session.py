"""The plan of one certification job: profiles, selected variants, criteria, references, parallelism.

Built the same way by every plugin from the job's config, so the CLI, the varianter, the hooks and
the scorer agree on what the job certifies.
"""

import os
from dataclasses import dataclass

from avocado_cert import criteria as criteria_mod
from avocado_cert import profile as profile_mod
from avocado_cert import variants as variants_mod
from avocado_cert import vt
from avocado_cert.errors import CertError


@dataclass
class Plan:
    profiles: list
    variants: list
    criteria: dict  # profile name -> Criteria
    criteria_override: str
    references: list
    parallel: int
    reduction: dict = None  # profile name -> what the combination order kept of the full cross
    runner: str = "avocado"  # "vt": the tests run as Avocado-VT variants

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


def _runner(profiles, override):
    """The one runner of the job: --cert-runner, else the profiles' own (they must agree)."""
    if override:
        if override not in profile_mod.RUNNERS:
            raise CertError(
                f"--cert-runner: unknown runner '{override}' (available: {', '.join(profile_mod.RUNNERS)})"
            )
        for prof in profiles:
            prof.runner = override
        return override
    runners = {prof.runner for prof in profiles}
    if len(runners) > 1:
        names = ", ".join(f"{p.name} ({p.runner})" for p in profiles)
        raise CertError(f"--cert-profile: profiles with different runners cannot share a job: {names}")
    return runners.pop()


def plan(profile_spec, variant_ids=(), criteria_override=None, runner=None):
    profiles = profile_mod.load_many(profile_spec)
    runner = _runner(profiles, runner)
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
    if runner == "vt":
        # Avocado-VT's runner cancels its tests in a job with more than one task at a time.
        parallel = 1
    return Plan(profiles, selected, by_profile, criteria_override, references, parallel, runner=runner)


def plan_from_config(config):
    return plan(
        config.get("cert.profile"),
        _variant_ids(config),
        config.get("cert.criteria"),
        config.get("cert.runner"),
    )


def _given_on_command_line(argv, flag):
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def apply_to_config(the_plan, config, argv):
    """Fill the job settings the profile decides, leaving alone what the user set explicitly.

    Returns the line that tells the user how many tests run at a time, and why."""
    given = config.get("resolver.references")
    if the_plan.runner == "vt":
        config["vt.config"] = vt.write_job_config(the_plan)
        config["vt.short_names_when_config"] = True
        config["resolver.references"] = vt.translate_references(the_plan, given)
    elif not given:
        config["resolver.references"] = list(the_plan.references)
    if the_plan.runner != "vt" and not _given_on_command_line(argv, "--spawner"):
        # Forked from a pre-loaded server: a test starts in milliseconds instead of a new interpreter.
        config["run.spawner"] = "forkserver"
    if _given_on_command_line(argv, "--max-parallel-tasks"):
        chosen = config.get("run.max_parallel_tasks")
        if the_plan.runner == "vt" and str(chosen) != "1":
            raise CertError(
                "--max-parallel-tasks: Avocado-VT runs its tests one at a time; use 1 or leave it out"
            )
        return f"avocado-cert: up to {chosen} test(s) at a time (--max-parallel-tasks)"
    # Avocado-VT's packaged config makes every job serial; a certification job sets its own.
    config["run.max_parallel_tasks"] = the_plan.parallel
    config["nrunner.max_parallel_tasks"] = the_plan.parallel
    if the_plan.runner == "vt":
        return "avocado-cert: the tests run through Avocado-VT, one at a time (run.max_parallel_tasks = 1)"
    return (
        f"avocado-cert: up to {the_plan.parallel} test(s) at a time (run.max_parallel_tasks = "
        f"{the_plan.parallel}, the profile's parallel: or the CPU count)"
    )
