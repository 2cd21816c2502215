"""The arch matrix: foreign-arch guest recipes, the shipped multi-arch and flag profiles (pairwise
reduction covering every pair), the flag expectations, and the per-arch comparison of a report."""

import itertools
import os
import shutil
import subprocess

import libvirt
import pytest
from lxml import etree

from avocado_cert.base import xmlbuild, xmlsafe
from avocado_cert.guest import aptarch, cache, recipe, variant
from avocado_cert.plan import profile, session, variants
from avocado_cert.report import archmatrix
from avocado_cert.report import html as html_report
from avocado_cert.report import writer as report
from avocado_cert.testing import flags

FOREIGN = {
    "aarch64": ("virt", "ttyAMA0", "arm64"),
    "ppc64le": ("pseries", "hvc0", "ppc64el"),
    "s390x": ("s390-ccw-virtio", "ttysclp0", "s390x"),
}
SCHEMA = "/usr/share/libvirt/schemas/domain.rng"


@pytest.mark.parametrize("arch", sorted(FOREIGN))
def test_foreign_recipes_name_their_machine_console_and_packages(arch, tmp_path):
    machine, console, debian_arch = FOREIGN[arch]
    rec = recipe.load("debian-tiny", arch)
    assert rec.settings["machine"] == machine
    assert rec.settings["debian_arch"] == debian_arch
    assert f"console={console}" in rec.settings["cmdline"]
    image = cache.Image(rec, str(tmp_path / "img"), {})
    params = {"uri": "qemu:///system", "domain_type": "qemu", "guest_arch": arch, "guest": "debian-tiny"}
    params.update(variant.image_params(image, "qemu"))
    root = xmlbuild.domain(params, "acert-dom-selftest")
    assert root.find("os/type").get("arch") == arch
    assert root.find("os/type").get("machine") == machine
    assert root.findtext("os/kernel") == image.kernel
    cpu = root.find("cpu/model")
    assert (cpu.text if cpu is not None else "") == rec.settings.get("cpu_model", "")
    if os.path.isfile(SCHEMA):
        schema = etree.RelaxNG(file=SCHEMA)
        assert schema.validate(xmlsafe.fromstring(xmlbuild.to_xml(root))), schema.error_log.last_error


def test_x86_64_recipe_hash_does_not_carry_the_unset_cpu_model():
    assert "cpu_model" not in recipe.load("debian-tiny", "x86_64").settings


@pytest.mark.skipif(not shutil.which("dpkg"), reason="not a Debian host")
def test_foreign_apt_lists_stay_private(tmp_path):
    native = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True)
    assert aptarch.options(native.stdout.strip(), str(tmp_path)) == []
    opts = aptarch.options("no-such-arch", str(tmp_path))
    assert f"Dir::State::Lists={tmp_path}/apt/no-such-arch/lists" in opts
    assert "APT::Architectures::=no-such-arch" in opts


def _pairs_seen(prof, combos):
    names = list(prof.axes)
    for a, b in itertools.combinations(range(len(names)), 2):
        wanted = set(itertools.product(list(prof.axes[names[a]]), list(prof.axes[names[b]])))
        yield names[a], names[b], wanted, {(combo[a], combo[b]) for combo in combos}


def test_shipped_flag_profile_covers_every_pair_with_fewer_variants():
    prof = profile.load("qemu-flags")
    assert prof.combination_order == 2
    plan = session.plan("qemu-flags")
    combos = [tuple(value for _axis, value in v.axes) for v in plan.variants]
    assert len(combos) < variants.full_cross_size(prof)
    for axis_a, axis_b, wanted, seen in _pairs_seen(prof, combos):
        assert wanted <= seen, f"pairs of {axis_a} x {axis_b} missing: {sorted(wanted - seen)}"
    reduced = plan.reduction["qemu-flags"]
    assert reduced["variants"] == len(combos) and reduced["full_cross"] == variants.full_cross_size(prof)
    assert reduced["tuples_covered"] == reduced["tuples_total"]
    assert [v.id for v in session.plan("qemu-flags").variants] == [v.id for v in plan.variants]


def test_combination_order_zero_runs_the_full_cross():
    plan = session.plan("qemu-flags", combination_order=0)
    assert len(plan.variants) == variants.full_cross_size(profile.load("qemu-flags"))
    assert plan.reduction == {}


def test_single_value_axes_do_not_stop_the_reduction():
    prof = profile.load("qemu-flags")
    assert len(prof.axes["driver"]) == 1
    combos = variants.reduced_combinations(prof, 2)
    assert combos and all(combo[0] == "qemu" for combo in combos)


def test_multi_arch_profile_has_one_variant_per_arch():
    plan = session.plan("qemu-all")
    assert [dict(v.axes)["arch"] for v in plan.variants] == ["x86_64", "aarch64", "ppc64le", "s390x"]
    assert {v.params["guest_arch"] for v in plan.variants} == {"x86_64", "aarch64", "ppc64le", "s390x"}


@pytest.mark.parametrize(
    "affect, state, refused, live, config",
    [
        ("current", "running", False, True, False),
        ("current", "shutoff", False, False, True),
        ("live", "paused", False, True, False),
        ("live", "shutoff", True, False, False),
        ("config", "running", False, False, True),
        ("both", "running", False, True, True),
        ("both", "shutoff", True, False, False),
    ],
)
def test_affect_expectations(affect, state, refused, live, config):
    expected = flags.expectation(affect, state)
    assert (expected.refused, expected.live, expected.config) == (refused, live, config)


def test_affect_flag_values_are_libvirts():
    assert flags.expectation("both", "running").flags == (
        libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG
    )
    with pytest.raises(ValueError, match="affect: unknown value"):
        flags.expectation("sideways", "running")


def _report(tests):
    variant_list = [
        {
            "id": "qemu-x86_64-local",
            "profile": "qemu-all",
            "axes": {"driver": "qemu", "arch": "x86_64"},
            "params": {"guest_arch": "x86_64", "domain_type": "auto"},
        },
        {
            "id": "qemu-aarch64-local",
            "profile": "qemu-all",
            "axes": {"driver": "qemu", "arch": "aarch64"},
            "params": {"guest_arch": "aarch64", "domain_type": "auto"},
        },
    ]
    score = {"verdict": "INCOMPLETE", "profiles": {}, "scored_on": "2026-11-27"}
    return report.build([], score, {}, variant_list), tests


def _entry(test, variant_id, result, caps=("domain.guest_vcpus",), reason=""):
    return {"test": test, "variant": variant_id, "outcome": result, "caps": list(caps), "reason": reason}


def test_comparison_flags_what_differs_between_arches():
    document, _ = _report([])
    document["tests"] = [
        _entry("t.py:A.plug", "qemu-x86_64-local", "PASS"),
        _entry("t.py:A.plug", "qemu-aarch64-local", "ERROR", reason="cpu hotplug is not supported"),
        _entry("t.py:A.boot", "qemu-x86_64-local", "PASS", caps=("arch.guest",)),
        _entry("t.py:A.boot", "qemu-aarch64-local", "PASS", caps=("arch.guest",)),
    ]
    matrix = archmatrix.compare(document)
    assert list(matrix["columns"]) == ["x86_64", "aarch64"]
    assert matrix["columns"]["aarch64"]["counts"]["ERROR"] == 1
    assert matrix["differences"] == {"capabilities": ["domain.guest_vcpus"], "tests": ["t.py:A.plug"]}
    row = next(r for r in matrix["tests"] if r["id"] == "t.py:A.plug")
    assert row["outcomes"] == {"x86_64": "PASS", "aarch64": "ERROR"}
    assert row["reasons"]["aarch64"] == "cpu hotplug is not supported"
    text = "\n".join(archmatrix.summary_lines(matrix))
    assert "Per-arch comparison" in text and "t.py:A.plug" in text and "domain.guest_vcpus" in text
    page = html_report.render(_page_report(matrix))
    assert "<h2>Per-arch comparison</h2>" in page and "differs" in page
    assert page.index("t.py:A.plug") < page.index("t.py:A.boot"), "differences are listed first"


def _page_report(matrix):
    return {
        "score": {"verdict": "INCOMPLETE", "profiles": {}, "scored_on": "2026-12-06"},
        "suite": {"name": "avocado-cert", "version": "0"},
        "tests": [],
        "arch_matrix": matrix,
    }


def test_report_records_the_arch_of_a_single_arch_job():
    document, _ = _report([])
    document["variants"] = document["variants"][1:]
    document["tests"] = [_entry("t.py:A.boot", "qemu-aarch64-local", "PASS")]
    matrix = archmatrix.compare(document)
    assert list(matrix["columns"]) == ["aarch64"]
    assert archmatrix.summary_lines(matrix)[0].startswith("Architecture: aarch64")


def test_columns_name_the_driver_when_the_job_has_several():
    document, _ = _report([])
    document["variants"][0]["axes"]["driver"] = "test"
    assert list(archmatrix.compare(document)["columns"]) == ["test/x86_64", "qemu/aarch64"]


def test_built_report_carries_the_comparison():
    document, _ = _report([])
    assert document["arch_matrix"]["columns"]["aarch64"]["variants"] == ["qemu-aarch64-local"]
