"""Transport equivalence: a test whose outcome differs between transports of one job is flagged."""

from avocado_cert.report import equivalence
from avocado_cert.report import html as html_report
from avocado_cert.report import writer as report


def _variant(transport, driver="qemu", arch="x86_64"):
    return {
        "id": f"{driver}-{arch}-{transport}",
        "profile": f"{driver}-{arch}-{transport}",
        "axes": {"driver": driver, "arch": arch, "transport": transport},
        "params": {},
    }


def _test(name, transport, result, reason="", arch="x86_64"):
    return {"test": name, "variant": f"qemu-{arch}-{transport}", "outcome": result, "reason": reason}


def _report(tests, transports=("unix", "tcp", "tls"), arches=("x86_64",)):
    variants = [_variant(t, arch=a) for t in transports for a in arches]
    return {"variants": variants, "tests": tests}


def test_fail_over_tls_that_passes_over_unix_is_a_finding():
    doc = _report(
        [
            _test("a.py:A.test_same", "unix", "PASS"),
            _test("a.py:A.test_same", "tcp", "PASS"),
            _test("a.py:A.test_same", "tls", "PASS"),
            _test("a.py:A.test_x", "unix", "PASS"),
            _test("a.py:A.test_x", "tcp", "PASS"),
            _test("a.py:A.test_x", "tls", "FAIL", "stream aborted\nmore"),
        ]
    )
    result = equivalence.compare(doc)
    assert result["transports"] == ["unix", "tcp", "tls"]
    assert result["compared"] == 2
    assert [row["test"] for row in result["findings"]] == ["a.py:A.test_x"]
    row = result["findings"][0]
    assert row["outcomes"] == {"unix": "PASS", "tcp": "PASS", "tls": "FAIL"}
    assert row["reasons"] == {"tls": "stream aborted"}
    lines = equivalence.summary_lines(result)
    assert lines[0].startswith("Transport equivalence (unix, tcp, tls): 2 tests compared, 1 differ")
    assert "a.py:A.test_x: PASS over unix/tcp, FAIL over tls" in lines[1]


def test_skip_is_not_a_finding_but_is_listed_apart():
    doc = _report(
        [
            _test("s.py:T.test_tls_only", "unix", "SKIP", "SKIP: not tls"),
            _test("s.py:T.test_tls_only", "tls", "PASS"),
            _test("s.py:T.test_error", "unix", "ERROR", "connection lost"),
            _test("s.py:T.test_error", "tls", "PASS"),
        ],
        transports=("unix", "tls"),
    )
    result = equivalence.compare(doc)
    assert [row["test"] for row in result["findings"]] == ["s.py:T.test_error"]
    assert [row["test"] for row in result["not_compared"]] == ["s.py:T.test_tls_only"]


def test_points_differing_in_another_axis_are_not_compared_with_each_other():
    doc = _report(
        [
            _test("a.py:A.test_x", "unix", "PASS", arch="x86_64"),
            _test("a.py:A.test_x", "tls", "PASS", arch="x86_64"),
            _test("a.py:A.test_x", "unix", "FAIL", arch="aarch64"),
            _test("a.py:A.test_x", "tls", "FAIL", arch="aarch64"),
        ],
        transports=("unix", "tls"),
        arches=("x86_64", "aarch64"),
    )
    result = equivalence.compare(doc)
    assert result["compared"] == 2 and result["findings"] == []


def test_one_transport_gives_no_section():
    doc = _report([_test("a.py:A.test_x", "unix", "PASS")], transports=("unix",))
    assert equivalence.compare(doc) is None
    assert equivalence.summary_lines(None) == []


def test_report_json_summary_and_html_carry_it():
    doc = _report(
        [_test("a.py:A.test_x", "unix", "PASS"), _test("a.py:A.test_x", "tls", "FAIL", "boom <b>")],
        transports=("unix", "tls"),
    )
    built = report.build(
        [],
        {"verdict": "INCOMPLETE", "profiles": {}, "scored_on": "2026-11-27"},
        {},
        doc["variants"],
    )
    assert built["transport_equivalence"]["compared"] == 0  # no records: nothing to compare
    built["tests"] = doc["tests"]
    built["transport_equivalence"] = equivalence.compare(built)
    assert "Transport equivalence (unix, tls): 1 tests compared, 1 differ:" in report.summary(built)
    page = html_report.render(built)
    assert "<h2>Transport equivalence</h2>" in page and "boom &lt;b&gt;" in page and "boom <b>" not in page


def test_checks_of_the_transport_itself_differ_by_design():
    doc = _report(
        [
            {
                **_test("t.py:R.test_encrypted", "tcp", "FAIL", "in clear"),
                "caps": ["security.remote_encryption"],
            },
            {**_test("t.py:R.test_encrypted", "tls", "PASS"), "caps": ["security.remote_encryption"]},
        ],
        transports=("tcp", "tls"),
    )
    result = equivalence.compare(doc)
    assert result["findings"] == [] and [r["test"] for r in result["transport_specific"]] == [
        "t.py:R.test_encrypted"
    ]
    assert "1 transport security checks differ by design" in equivalence.summary_lines(result)[0]
