"""The plan of one certification job: profiles, selected variants, criteria, references, parallelism.

Built the same way by every plugin from the job's config, so the CLI, the varianter, the hooks and
the scorer agree on what the job certifies.
"""

import os
from dataclasses import dataclass

from avocado_cert.base.errors import CertError
from avocado_cert.plan import criteria as criteria_mod
from avocado_cert.plan import profile as profile_mod
from avocado_cert.plan import variants as variants_mod


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


def _combination_order(value):
    """--cert-combination-order as an int: -1 (unset) leaves each profile's own combination_order."""
    if value is None or value == "":
        return -1
    try:
        order = int(value)
    except (TypeError, ValueError):
        raise CertError(f"--cert-combination-order: expected a whole number, got {value!r}") from None
    if order < -1:
        raise CertError(
            f"--cert-combination-order: must be 0 (full cross), 2 (pairwise) or more, got {order}"
        )
    return order


def reductions(profiles, order_override=-1):
    """(combinations_of, reduction): the reduced combinations of each profile whose combination order
    applies, and what each kept of its full cross (for the report)."""
    reduced = {}
    for prof in profiles:
        order = prof.combination_order if order_override < 0 else order_override
        combos = variants_mod.reduced_combinations(prof, order)
        if combos is not None:
            reduced[prof.name] = (order, combos)
    summary = {}
    for prof in profiles:
        if prof.name not in reduced:
            continue
        order, combos = reduced[prof.name]
        covered, total = variants_mod.tuple_coverage(prof, combos, order)
        summary[prof.name] = {
            "combination_order": order,
            "variants": len(combos),
            "full_cross": variants_mod.full_cross_size(prof),
            "tuples_covered": covered,
            "tuples_total": total,
        }
    return (lambda prof: reduced[prof.name][1] if prof.name in reduced else None), summary


def plan(profile_spec, variant_ids=(), criteria_override=None, runner=None, combination_order=-1):
    profiles = profile_mod.load_many(profile_spec)
    runner = _runner(profiles, runner)
    combinations_of, reduction = reductions(profiles, _combination_order(combination_order))
    crossed = variants_mod.cross_many(profiles, combinations_of)
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
    parallel = max((n for n in (p.tests_at_a_time() for p in profiles) if n), default=None)
    parallel = parallel or os.cpu_count() or 1
    if runner == "vt":
        # Avocado-VT's runner cancels its tests in a job with more than one task at a time.
        parallel = 1
    return Plan(
        profiles,
        selected,
        by_profile,
        criteria_override,
        references,
        parallel,
        reduction=reduction,
        runner=runner,
    )


def plan_from_config(config):
    return plan(
        config.get("cert.profile"),
        _variant_ids(config),
        config.get("cert.criteria"),
        config.get("cert.runner"),
        config.get("cert.combination_order"),
    )
