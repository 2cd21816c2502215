"""Crossing a profile's axes (driver, arch, transport, ...) into variants with stable, readable ids."""

import itertools
import random
from dataclasses import dataclass

from avocado_cert.base.errors import CertError

# Fixed seed: the combinatorial search is randomised, the variants of a profile must not be.
_CIT_SEED = 20261127

ID_SEPARATOR = "-"


@dataclass(frozen=True)
class Variant:
    """One point of the certification matrix: a profile and one value per axis."""

    id: str
    profile: str
    axes: tuple  # ((axis, value), ...) in the profile's axis order
    params: dict

    def to_dict(self):
        return {"id": self.id, "profile": self.profile, "axes": dict(self.axes), "params": self.params}


def cross(profile, combinations=None):
    """Every combination of the profile's axis values (or only the given ones), as Variants.

    A variant's params are the profile's params, overlaid by each chosen axis value's params,
    plus the axis names themselves (driver=..., arch=...), the profile name and the variant id.
    """
    axis_names = list(profile.axes)
    if combinations is None:
        combinations = itertools.product(*(list(profile.axes[a]) for a in axis_names))
    base = dict(profile.params)
    base["timeout"] = profile.timeout
    variants = []
    for combo in combinations:
        params = dict(base)
        for axis, value in zip(axis_names, combo):
            params.update(profile.axes[axis][value])
        params.update(zip(axis_names, combo))
        vid = ID_SEPARATOR.join(combo)
        params["profile"] = profile.name
        params["variant_id"] = vid
        variants.append(Variant(vid, profile.name, tuple(zip(axis_names, combo)), params))
    return variants


def cross_many(profiles, combinations_of=None):
    """The variants of several profiles, in order; ids must be unique across all of them."""
    variants = []
    seen = {}
    for prof in profiles:
        combos = combinations_of(prof) if combinations_of else None
        for variant in cross(prof, combos):
            if variant.id in seen:
                where = (
                    f"twice by profile '{prof.name}'"
                    if seen[variant.id] == prof.name
                    else f"by both profile '{seen[variant.id]}' and profile '{prof.name}'"
                )
                raise CertError(f"variant id '{variant.id}' is produced {where}")
            seen[variant.id] = prof.name
            variants.append(variant)
    return variants


def select(variants, wanted):
    """Keep only the variants whose id is in wanted (a list); unknown ids are an error."""
    if not wanted:
        return variants
    known = {v.id for v in variants}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        shown = sorted(known)
        listing = ", ".join(shown[:20]) + (f", ... ({len(shown)} in all)" if len(shown) > 20 else "")
        raise CertError(f"--cert-variant: unknown variant '{unknown[0]}' (available: {listing})")
    keep = set(wanted)
    return [v for v in variants if v.id in keep]


def full_cross_size(profile):
    size = 1
    for values in profile.axes.values():
        size *= len(values)
    return size


def reduced_combinations(profile, order):
    """Combinations of axis values covering every `order`-tuple (order 2: every pair) of values.

    Uses Avocado's CIT varianter algorithm; returns None when no reduction applies (order 0, or not
    fewer axes than the order), so the caller crosses everything.
    """
    names = list(profile.axes)
    values = [list(profile.axes[name]) for name in names]
    # An axis of one value is in every combination: the algorithm cannot vary it (and fails on it).
    varying = [i for i, axis_values in enumerate(values) if len(axis_values) > 1]
    if order <= 0 or order >= len(varying):
        return None
    from avocado_varianter_cit.Cit import Cit  # pylint: disable=import-outside-toplevel

    state = random.getstate()
    random.seed(_CIT_SEED)
    try:
        rows = Cit([len(values[i]) for i in varying], order, set()).compute()
    finally:
        random.setstate(state)
    combos = []
    for row in sorted(map(tuple, rows)):
        chosen = dict(zip(varying, row))
        combos.append(tuple(values[i][chosen.get(i, 0)] for i in range(len(names))))
    return combos


def tuple_coverage(profile, combinations, order):
    """(covered, total) `order`-tuples of axis values over the given combinations."""
    names = list(profile.axes)
    order = min(order, len(names))
    total = 0
    covered = 0
    for axes_subset in itertools.combinations(range(len(names)), order):
        wanted = set(itertools.product(*(list(profile.axes[names[i]]) for i in axes_subset)))
        seen = {tuple(combo[i] for i in axes_subset) for combo in combinations}
        total += len(wanted)
        covered += len(wanted & seen)
    return covered, total


def describe_reduction(reduced):
    """One line on what a combination order kept of the full cross (for the report)."""
    order = reduced["combination_order"]
    kind = "pairwise" if order == 2 else f"{order}-wise"
    return (
        f"Variants reduced {kind}: {reduced['variants']} of the full cross of {reduced['full_cross']} ran, "
        f"covering {reduced['tuples_covered']} of {reduced['tuples_total']} {order}-tuples of axis values"
    )
