"""Measurements across runs and the host they were taken on: rundiff's metric rows, the host record,
and the timing helpers the performance suite stands on."""

from avocado_cert.commands import diff as diff_command
from avocado_cert.host import environment
from avocado_cert.offline import rundiff
from avocado_cert.testing import performance as perf


def run(tests):
    return rundiff.Run("ref", {"tests": tests, "verdict": "CERTIFIED"}, "/suite")


def entry(test, metrics, variant="v1"):
    return {
        "test": f"/suite/{test}",
        "variant": variant,
        "outcome": "PASS",
        "area": "performance",
        "metrics": metrics,
    }


def test_metric_rows_compare_what_both_runs_measured():
    a = run([entry("p.py:T.test", {"lookup_median_us": {"value": 50.0, "unit": "us"}, "gone": {"value": 1}})])
    b = run([entry("p.py:T.test", {"lookup_median_us": {"value": 75.0, "unit": "us"}, "new": {"value": 2}})])
    doc = rundiff.diff(a, b)
    assert doc["metrics"] == [
        {
            "test": "p.py:T.test",
            "variant": "v1",
            "metric": "lookup_median_us",
            "unit": "us",
            "a": 50.0,
            "b": 75.0,
            "ratio": 1.5,
        }
    ]
    text = diff_command.render(doc)
    assert "Measurements (A -> B, B/A):" in text and "x1.5" in text


def test_malformed_metrics_are_left_out():
    bad = [
        entry("p.py:T.a", "not a mapping"),
        entry("p.py:T.b", {"m": "text"}),
        entry("p.py:T.c", {"m": {"value": True}}),
        entry("p.py:T.d", {"m": {"value": "1"}}),
    ]
    assert not rundiff.metrics(run(bad))
    zero = run([entry("p.py:T.z", {"m": {"value": 0}})])
    assert rundiff.metric_changes(zero, zero)[0]["ratio"] is None


def test_host_records_cpu_model_and_load(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Acme CPU 9000\n")
    assert environment.cpu_model(str(cpuinfo)) == "Acme CPU 9000"
    host = environment.host()
    assert host["cpu_model"]
    assert len(host["load_average"]) == 3


def test_timing_median_and_p99():
    timing = perf.Timing([float(v) for v in range(1, 101)])
    assert timing.median == 50.5
    assert timing.p99 == 99.0
    counter = []
    taken = perf.time_calls(lambda: counter.append(1), 20, warmup=5)
    assert len(taken.samples) == 20 and len(counter) == 25
    ours, refs = perf.paired(lambda: None, lambda: None, 50, rounds=5)
    assert len(ours.samples) == len(refs.samples) == 50


def test_runs_match_tests_named_by_absolute_or_relative_path():
    """One job named the suite by its absolute path, the other as `tests/...`: the same tests."""
    run = rundiff.Run("a", {}, "/srv/acert/tests")
    expected = "domain/test_lifecycle.py:DomainLifecycle.test_shutdown"
    for named in (f"/srv/acert/tests/{expected}", f"tests/{expected}", f"./tests/{expected}"):
        assert run.key(named) == expected
    assert run.key("/elsewhere/test_x.py:T.test") == "/elsewhere/test_x.py:T.test"
