"""Scoring rules, table-driven: what each mix of outcomes gives."""

import datetime

import pytest

from avocado_cert.base import outcome
from avocado_cert.plan import criteria
from avocado_cert.report import scoring
from avocado_cert.report.results import Record
from selftests.conftest import write

CRITERIA = """
version: "1.0"
released: 2026-11-27
capabilities:
  - {id: a.req, area: a, title: required one, status: required, since: "1.0"}
  - {id: a.req2, area: a, title: required two, status: required, since: "1.0"}
  - {id: b.adv, area: b, title: advisory, status: advisory, since: "1.0"}
  - {id: b.old, area: b, title: removed, status: removed, since: "1.0"}
waivers:
  - {capability: a.req2, profile: live, reason: known bug, bug: "https://bugs/1", expires: 2027-01-01}
  - {capability: a.req2, profile: stale, reason: old bug, bug: "https://bugs/2", expires: 2026-01-01}
"""

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def crit(tmp_path_factory):
    return criteria.load(write(tmp_path_factory.mktemp("c") / "1.0.yaml", CRITERIA))


def rec(cap, result, variant="v1", profile="p", area=None):
    return Record(
        id=f"1-t.py:T.test_{cap};{variant}",
        test=f"t.py:T.test_{cap}",
        variant=variant,
        profile=profile,
        status="",
        outcome=result,
        area=area or cap.split(".")[0],
        caps=(cap,),
        apis=(),
        reason="",
        logdir="",
        time=0.1,
    )


P, F, E, U, S = outcome.PASS, outcome.FAIL, outcome.ERROR, outcome.UNSUPPORTED, outcome.SKIP


@pytest.mark.parametrize(
    "req, req2, adv, verdict",
    [
        ([P], [P], [P], scoring.CERTIFIED),
        ([P], [P], [F], scoring.CERTIFIED),  # advisory failures never decide
        ([P], [P], [], scoring.CERTIFIED),  # nor do missing advisory tests
        ([F], [P], [P], scoring.NOT_CERTIFIED),
        ([U], [P], [P], scoring.NOT_CERTIFIED),  # UNSUPPORTED is never PASS
        ([S], [P], [P], scoring.INCOMPLETE),  # SKIP is never PASS
        ([E], [P], [P], scoring.INCOMPLETE),
        ([P, E], [P], [P], scoring.INCOMPLETE),
        ([], [P], [P], scoring.INCOMPLETE),  # a required capability with no test
        ([F], [E], [P], scoring.NOT_CERTIFIED),  # a definite failure outranks the unknown
        ([P, P, F], [P], [P], scoring.NOT_CERTIFIED),
        ([outcome.MISSING], [P], [P], scoring.INCOMPLETE),
    ],
)
def test_verdict_table(crit, req, req2, adv, verdict):
    recs = [rec("a.req", o) for o in req] + [rec("a.req2", o) for o in req2] + [rec("b.adv", o) for o in adv]
    score = scoring.score(recs, {"p": crit}, today=TODAY)
    assert score["verdict"] == verdict
    assert score["profiles"]["p"]["verdict"] == verdict


def test_failed_required_are_named(crit):
    score = scoring.score([rec("a.req", F), rec("a.req2", U)], {"p": crit}, today=TODAY)
    assert score["profiles"]["p"]["failed_required"] == ["a.req", "a.req2"]


def test_valid_waiver_accepts_a_failure(crit):
    score = scoring.score(
        [rec("a.req", P, profile="live"), rec("a.req2", F, profile="live")], {"live": crit}, today=TODAY
    )
    prof = score["profiles"]["live"]
    assert prof["verdict"] == scoring.CERTIFIED
    cap = next(c for c in prof["capabilities"] if c["id"] == "a.req2")
    assert cap["outcome"] == F and cap["accepted"] and cap["waiver"]["bug"] == "https://bugs/1"


def test_expired_waiver_does_not_apply(crit):
    score = scoring.score(
        [rec("a.req", P, profile="stale"), rec("a.req2", F, profile="stale")], {"stale": crit}, today=TODAY
    )
    prof = score["profiles"]["stale"]
    assert prof["verdict"] == scoring.NOT_CERTIFIED
    cap = next(c for c in prof["capabilities"] if c["id"] == "a.req2")
    assert cap["waiver"] is None and cap["expired_waiver"]["expires"] == "2026-01-01"


def test_waiver_expires_the_day_after(crit):
    recs = [rec("a.req", P, profile="live"), rec("a.req2", F, profile="live")]
    assert (
        scoring.score(recs, {"live": crit}, today=datetime.date(2027, 1, 1))["verdict"] == scoring.CERTIFIED
    )
    assert (
        scoring.score(recs, {"live": crit}, today=datetime.date(2027, 1, 2))["verdict"]
        == scoring.NOT_CERTIFIED
    )


def test_interrupted_job_is_incomplete(crit):
    recs = [rec("a.req", P), rec("a.req2", P)]
    assert scoring.score(recs, {"p": crit}, today=TODAY, interrupted=True)["verdict"] == scoring.INCOMPLETE


def test_removed_capability_is_not_scored(crit):
    recs = [rec("a.req", P), rec("a.req2", P), rec("b.old", F)]
    prof = scoring.score(recs, {"p": crit}, today=TODAY)["profiles"]["p"]
    assert "b.old" not in [c["id"] for c in prof["capabilities"]]
    assert prof["verdict"] == scoring.CERTIFIED


def test_capability_must_pass_on_every_variant(crit):
    recs = [rec("a.req", P, "x86"), rec("a.req", F, "arm"), rec("a.req2", P)]
    prof = scoring.score(recs, {"p": crit}, today=TODAY)["profiles"]["p"]
    cap = prof["capabilities"][0]
    assert cap["variants"] == {"arm": F, "x86": P}
    assert prof["verdict"] == scoring.NOT_CERTIFIED


def test_area_scores(crit):
    recs = [rec("a.req", P), rec("a.req2", P), rec("a.req2", U), rec("b.adv", S)]
    areas = scoring.score(recs, {"p": crit}, today=TODAY)["profiles"]["p"]["areas"]
    assert areas["a"]["tests"] == 3 and areas["a"]["score"] == pytest.approx(66.7)
    assert areas["a"]["counts"] == {P: 2, U: 1}
    assert areas["b"]["score"] == 0.0


def test_unscored_and_unknown(crit):
    recs = [rec("a.req", P, profile="elsewhere"), rec("zz.top", P)]
    score = scoring.score(recs, {"p": crit}, today=TODAY)
    assert score["unscored"] == [recs[0].id]
    assert score["profiles"]["p"]["unknown_capabilities"] == ["zz.top"]


@pytest.mark.parametrize(
    "status, reason, expected",
    [
        ("PASS", "", P),
        ("WARN", "", P),
        ("FAIL", "x", F),
        ("ERROR", "x", E),
        ("INTERRUPTED", "timeout", E),
        ("SKIP", "", S),
        ("CANCEL", "no guest", S),
        ("CANCEL", outcome.UNSUPPORTED_PREFIX + "virFoo", U),
        ("SKIP", outcome.UNSUPPORTED_PREFIX, U),
        ("WEIRD", "", E),
    ],
)
def test_avocado_status_mapping(status, reason, expected):
    assert outcome.from_avocado(status, reason) == expected


PERF = """
version: "1.0"
released: 2026-11-27
capabilities:
  - id: perf.query
    area: performance
    title: queries are fast
    status: required
    since: "1.0"
    thresholds:
      "*": {lookup_median_us: 100, listall_per_s: {min: 1000}}
      slow: {lookup_median_us: 1000}
"""


@pytest.fixture(scope="module")
def perf_crit(tmp_path_factory):
    return criteria.load(write(tmp_path_factory.mktemp("p") / "1.0.yaml", PERF))


def perf_rec(profile, **metrics):
    record = rec("perf.query", P, profile=profile, area="performance")
    record.metrics = {name: {"value": value, "unit": ""} for name, value in metrics.items()}
    return record


@pytest.mark.parametrize(
    "profile, metrics, expected",
    [
        ("fast", {"lookup_median_us": 50, "listall_per_s": 5000}, P),
        ("fast", {"lookup_median_us": 150, "listall_per_s": 5000}, F),
        ("fast", {"lookup_median_us": 50, "listall_per_s": 10}, F),
        ("slow", {"lookup_median_us": 150, "listall_per_s": 5000}, P),  # the per-profile bound wins
        ("fast", {"lookup_median_us": 50}, E),  # a bounded metric that was not measured
    ],
)
def test_thresholds(perf_crit, profile, metrics, expected):
    score = scoring.score([perf_rec(profile, **metrics)], {profile: perf_crit}, today=TODAY)
    cap = score["profiles"][profile]["capabilities"][0]
    assert cap["outcome"] == expected
    assert bool(cap["threshold_problems"]) == (expected != P)


def test_bad_thresholds(tmp_path):
    from avocado_cert.base.errors import CertError  # pylint: disable=import-outside-toplevel

    path = write(tmp_path / "1.0.yaml", PERF.replace("{min: 1000}", "{least: 1000}"))
    with pytest.raises(CertError, match="expected a number .maximum. or a mapping with min and/or max"):
        criteria.load(path)
