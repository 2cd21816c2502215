import datetime

import pytest

from avocado_cert.base.errors import CertError
from avocado_cert.plan import criteria
from selftests.conftest import write

BASE = """
version: "1.0"
released: 2026-11-27
capabilities:
  - id: domain.lifecycle
    area: domain
    title: lifecycle
    apis: [virDomainCreate]
    status: required
    since: "1.0"
    status_by_profile: {test: advisory}
  - id: secret.lifecycle
    area: secret
    title: secrets
    status: required
    since: "1.0"
    profiles: ["qemu-*"]
"""


def test_shipped_criteria_load_and_hash():
    versions = criteria.available()
    assert "1.0" in versions
    crit = criteria.load("1.0")
    assert len(crit.sha256) == 64
    assert crit.by_id


def test_status_per_profile(tmp_path):
    crit = criteria.load(write(tmp_path / "1.0.yaml", BASE))
    assert crit.by_id["domain.lifecycle"].status_for("test") == "advisory"
    assert crit.by_id["domain.lifecycle"].status_for("qemu-x86_64") == "required"
    assert crit.by_id["secret.lifecycle"].status_for("test") is None
    assert crit.by_id["secret.lifecycle"].status_for("qemu-x86_64") == "required"
    assert [c.id for c, _ in crit.applicable("test")] == ["domain.lifecycle"]


def test_hash_changes_with_content(tmp_path):
    one = criteria.load(write(tmp_path / "a" / "1.0.yaml", BASE))
    two = criteria.load(write(tmp_path / "b" / "1.0.yaml", BASE + "waivers: []\n"))
    assert one.sha256 != two.sha256


WAIVER = """
waivers:
  - capability: {cap}
    profile: test
    reason: driver bug
    bug: {bug}
    expires: 2027-01-01
"""


@pytest.mark.parametrize(
    "extra, problem",
    [
        (WAIVER.format(cap="domain.nothing", bug="https://b/1"), "unknown capability 'domain.nothing'"),
        (WAIVER.format(cap="domain.lifecycle", bug="see bugzilla"), "expected a link to the bug"),
        ("waivers:\n  - capability: domain.lifecycle\n    profile: test\n", "missing required key 'reason'"),
        ("surprise: 1\n", "unknown key 'surprise'"),
    ],
)
def test_bad_waivers(tmp_path, extra, problem):
    path = write(tmp_path / "1.0.yaml", BASE + extra)
    with pytest.raises(CertError) as err:
        criteria.load(path)
    assert problem in str(err.value)
    assert str(err.value).startswith(path)


@pytest.mark.parametrize(
    "old, new, problem",
    [
        (
            'status: required\n    since: "1.0"\n    status_by',
            'status: mandatory\n    since: "1.0"\n    status_by',
            "'mandatory' is not one of",
        ),
        ('version: "1.0"', 'version: "2.0"', "does not match the file name"),
        ("id: domain.lifecycle", "id: Domain Lifecycle", "invalid capability id"),
        ("id: secret.lifecycle", "id: domain.lifecycle", "defined twice"),
        ('since: "1.0"\n    status_by', 'since: "1.1"\n    status_by', "later than this version"),
        ("released: 2026-11-27", "released: yesterday", "expected a date"),
    ],
)
def test_bad_capabilities(tmp_path, old, new, problem):
    assert old in BASE
    path = write(tmp_path / "1.0.yaml", BASE.replace(old, new, 1))
    with pytest.raises(CertError) as err:
        criteria.load(path)
    assert problem in str(err.value)


def test_waiver_expiry(tmp_path):
    crit = criteria.load(
        write(tmp_path / "1.0.yaml", BASE + WAIVER.format(cap="domain.lifecycle", bug="https://b/1"))
    )
    waiver = crit.waiver_for("domain.lifecycle", "test")
    assert not waiver.expired(datetime.date(2027, 1, 1))
    assert waiver.expired(datetime.date(2027, 1, 2))
    assert crit.waiver_for("domain.lifecycle", "qemu-x86_64") is None


def test_unknown_version_lists_available():
    with pytest.raises(CertError, match=r"unknown criteria version '9.9' \(available: .*1.0"):
        criteria.load("9.9")
