import itertools

import pytest

from avocado_cert.base.errors import CertError
from avocado_cert.plan import profile, variants


def make(name, axes, params=None):
    return profile.Profile(
        name=name,
        description="",
        criteria="1.0",
        areas=[],
        tests=[],
        axes=axes,
        params=params or {},
        parallel=None,
        timeout=60,
        host="none",
        verified=True,
        notes="",
    )


def test_cross_two_uris_by_two_arches():
    prof = make(
        "p",
        {
            "driver": {"test": {"uri": "test:///default"}, "qemu": {"uri": "qemu:///system"}},
            "arch": {"x86_64": {"machine": "q35"}, "aarch64": {"machine": "virt"}},
        },
        params={"guest": "none"},
    )
    out = variants.cross(prof)
    assert [v.id for v in out] == ["test-x86_64", "test-aarch64", "qemu-x86_64", "qemu-aarch64"]
    first = out[0].params
    assert first["uri"] == "test:///default" and first["machine"] == "q35"
    assert first["driver"] == "test" and first["arch"] == "x86_64"
    assert first["profile"] == "p" and first["variant_id"] == "test-x86_64"
    assert first["guest"] == "none" and first["timeout"] == 60


def test_ids_are_stable_across_calls():
    prof = make("p", {"a": {"1": {}, "2": {}}, "b": {"x": {}, "y": {}}})
    assert [v.id for v in variants.cross(prof)] == [v.id for v in variants.cross(prof)]


def test_axis_value_overrides_profile_param_but_not_axis_name():
    prof = make("p", {"driver": {"d": {"uri": "u", "driver": "sneaky"}}}, params={"uri": "base"})
    params = variants.cross(prof)[0].params
    assert params["uri"] == "u"
    assert params["driver"] == "d"


def test_profiles_crossed_together_need_distinct_ids():
    one = make("one", {"driver": {"test": {}}})
    two = make("two", {"driver": {"test": {}}})
    with pytest.raises(CertError, match="produced by both profile 'one' and profile 'two'"):
        variants.cross_many([one, two])


def test_colliding_ids_within_a_profile():
    prof = make("p", {"a": {"x-y": {}, "x": {}}, "b": {"z": {}, "y-z": {}}})
    with pytest.raises(CertError, match="twice by profile 'p'"):
        variants.cross_many([prof])


def test_select_one_and_unknown():
    prof = make("p", {"a": {"1": {}, "2": {}}})
    out = variants.cross(prof)
    assert [v.id for v in variants.select(out, ["2"])] == ["2"]
    with pytest.raises(CertError, match="unknown variant '3'"):
        variants.select(out, ["3"])


def test_cross_is_the_full_product():
    axes = {f"ax{i}": {f"v{j}": {} for j in range(3)} for i in range(4)}
    out = variants.cross(make("p", axes))
    assert len(out) == 3**4
    assert len({v.id for v in out}) == 3**4
    assert {v.axes for v in out} == {
        tuple(zip(axes, combo)) for combo in itertools.product(*(list(v) for v in axes.values()))
    }


def test_pairwise_covers_every_pair_with_fewer_variants():
    axes = {
        "driver": {d: {} for d in ("test", "qemu", "lxc")},
        "arch": {a: {} for a in ("x86_64", "aarch64", "ppc64le", "s390x")},
        "transport": {t: {} for t in ("local", "unix", "tcp", "tls")},
        "flags": {f: {} for f in ("none", "live", "config")},
    }
    prof = make("p", axes)
    combos = variants.reduced_combinations(prof, 2)
    assert len(combos) < variants.full_cross_size(prof) == 144
    for (a, values_a), (b, values_b) in itertools.combinations(list(axes.items()), 2):
        ia, ib = list(axes).index(a), list(axes).index(b)
        seen = {(combo[ia], combo[ib]) for combo in combos}
        assert seen == set(itertools.product(values_a, values_b)), (a, b)
    assert (
        variants.tuple_coverage(prof, combos, 2)
        == (sum(len(x) * len(y) for x, y in itertools.combinations([list(v) for v in axes.values()], 2)),) * 2
    )
    assert combos == variants.reduced_combinations(prof, 2), "the reduction must be stable"


def test_reduction_not_applied_when_order_covers_all_axes():
    prof = make("p", {"a": {"1": {}, "2": {}}, "b": {"x": {}, "y": {}}})
    assert variants.reduced_combinations(prof, 0) is None
    assert variants.reduced_combinations(prof, 2) is None
