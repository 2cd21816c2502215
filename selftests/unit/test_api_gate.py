"""The new-API gate: every public function libvirt-python exposes is certified by a test or is listed,
with a reason, in data/api/not-certifiable.yaml; tags and criteria agree with each other.

Measured against the installed libvirt-api.xml (the newest shipped snapshot where libvirt's
development files are missing), over every test under tests/.
"""

import pytest

from avocado_cert.apisurface import coverage
from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.base import paths
from avocado_cert.plan import criteria, profile


@pytest.fixture(scope="module")
def surface():
    return apisurface.load()


@pytest.fixture(scope="module")
def tests():
    return coverage.scan_tests([paths.suite_dir()])


@pytest.fixture(scope="module")
def report(surface, tests):
    from avocado_cert.apisurface import pybindings  # pylint: disable=import-outside-toplevel

    listed = coverage.load_not_certifiable(surface)
    return coverage.build(surface, pybindings.load(surface), tests, listed, [paths.suite_dir()])


@pytest.fixture(scope="module")
def shipped_criteria():
    """The criteria versions the shipped profiles are scored with."""
    versions = sorted({profile.load(name).criteria for name in profile.available()})
    return [criteria.load(version) for version in versions]


def _entries(report, status):
    return {
        name: entry
        for module in report["modules"].values()
        for name, entry in module["entries"].items()
        if entry["status"] == status
    }


def test_every_exposed_function_is_certified_or_explained(report):
    uncovered = _entries(report, coverage.NO_TEST)
    by_module = {}
    for module, data in report["modules"].items():
        names = [name for name in data["entries"] if name in uncovered]
        if names:
            by_module[module] = names
    detail = "\n".join(f"  {module} ({len(names)}): {' '.join(names)}" for module, names in by_module.items())
    assert not uncovered, (
        f"{len(uncovered)} public functions libvirt-python exposes have no certification test and no "
        f"entry in data/api/not-certifiable.yaml:\n{detail}"
    )


def test_not_certifiable_entries_are_exposed_and_uncovered(surface, report):
    listed = coverage.load_not_certifiable(surface)
    hidden = sorted(name for name in listed if name in _entries(report, coverage.NOT_EXPOSED))
    assert not hidden, f"not-certifiable.yaml lists functions libvirt-python does not expose: {hidden}"
    assert not report["listed_but_covered"], (
        "not-certifiable.yaml lists functions that have a test now (remove them): "
        f"{report['listed_but_covered']}"
    )


def test_api_tags_name_real_functions(report):
    assert not report["unknown_api_tags"], "api: tags naming no function of libvirt-api.xml: " + "; ".join(
        f"{name} in {', '.join(ids)}" for name, ids in report["unknown_api_tags"].items()
    )


def test_cap_tags_name_shipped_capabilities(tests):
    """Tests are written for the newest criteria; an older version scores the capabilities it knows."""
    unknown = {}
    newest = criteria.load(criteria.available()[-1])
    for crit in (newest,):
        for test in tests:
            for cap in test.values("cap"):
                if cap not in crit.by_id:
                    unknown.setdefault(f"{cap} (criteria {crit.version})", []).append(test.id)
    assert not unknown, "cap: tags naming no capability: " + "; ".join(
        f"{cap} in {', '.join(ids)}" for cap, ids in sorted(unknown.items())
    )


def test_every_capability_has_a_test(tests, shipped_criteria):
    tagged = {cap for test in tests for cap in test.values("cap")}
    missing = [
        f"{cap.id} (criteria {crit.version})"
        for crit in shipped_criteria
        for cap in crit.capabilities
        if cap.status != "removed" and cap.id not in tagged
    ]
    assert not missing, f"capabilities with no test: {', '.join(missing)}"


def test_capability_apis_are_real_functions(surface, shipped_criteria):
    # Hypervisor-specific functions (libvirt-qemu/lxc-api.xml) are real too, as for api: tags.
    known = set(surface.functions) | set(apisurface.companion_functions(surface))
    unknown = [
        f"{cap.id}: {api}"
        for crit in shipped_criteria
        for cap in crit.capabilities
        for api in cap.apis
        if api not in known
    ]
    assert not unknown, f"criteria name functions libvirt-api.xml does not have: {', '.join(unknown)}"
