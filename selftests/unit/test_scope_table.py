"""The scope-flag table: its generated test file is current, bad tables are refused in one line, and the
coverage report counts the scope combinations and redefinitions the tags certify."""

import pytest

from avocado_cert.apisurface import coverage, depth
from avocado_cert.base.errors import CertError
from avocado_cert.testing import scopetable
from selftests.conftest import write


def test_generated_file_is_current():
    assert scopetable.main(["--check"]) == 0, "run python -m avocado_cert.testing.scopetable"


def test_every_call_gets_every_combination():
    text = scopetable.render(scopetable.load(), scopetable.combinations())
    for api in scopetable.load():
        for state, scope in scopetable.combinations():
            assert f"tags=api:{api},scope:{state}.{scope}" in text


@pytest.mark.parametrize(
    "body, problem",
    [
        ("calls: {virX: {object: host, apply: [f], xpath: a, value: b}}", "object: 'host'"),
        ("calls: {virX: {object: domain, apply: [f], xpath: a}}", "'value' is required"),
        (
            "calls: {virX: {object: domain, apply: [f], xpath: a, value: b, colour: red}}",
            "unknown key 'colour'",
        ),
        ("calls: []", "calls: expected a mapping"),
    ],
)
def test_bad_table_is_refused(tmp_path, body, problem):
    path = write(tmp_path / "table.yaml", "combinations: [[running, live]]\n" + body + "\n")
    with pytest.raises(CertError, match=problem):
        scopetable.load(path)


def test_bad_combination_is_refused(tmp_path):
    path = write(tmp_path / "table.yaml", "combinations: [[paused, live]]\ncalls: {}\n")
    with pytest.raises(CertError, match="combinations"):
        scopetable.combinations(path)


class _Surface:
    functions = {"virDomainSetThing": None, "virDomainGetThing": None, "virDomainOther": None}

    @staticmethod
    def flag_values(name):
        return {"VIR_DOMAIN_AFFECT_LIVE": 1} if "Thing" in name else {}


def test_depth_counts_tagged_combinations():
    every = ["running.live", "shutoff.config"]
    tests = [
        coverage.TestEntry("t.py:A.one", {"api": {"virDomainSetThing"}, "scope": {"running.live"}}),
        coverage.TestEntry("t.py:A.two", {"api": {"virDomainSetThing"}, "redefine": {"domain"}}),
    ]
    report = depth.scope_flags(_Surface, tests, every)
    assert list(report["calls"]) == [
        "virDomainSetThing"
    ], "getters and calls without scope flags are left out"
    assert report["calls"]["virDomainSetThing"]["certified"] == ["running.live"]
    assert report["calls"]["virDomainSetThing"]["missing"] == ["shutoff.config"]
    assert (report["complete"], report["total"]) == (0, 1)
    redefinition = depth.redefinition(tests)
    assert redefinition["domain"]["tests"] == ["t.py:A.two"]
    assert redefinition["secret"]["tests"] == []
