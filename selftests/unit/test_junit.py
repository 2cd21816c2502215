from lxml import etree

from avocado_cert.report import junit


def report(outcomes, caps):
    tests = [
        {
            "test": f"t.py:T.test_{i}",
            "variant": "v",
            "profile": "p",
            "area": "a",
            "outcome": o,
            "reason": "why",
            "time": 0.1,
        }
        for i, o in enumerate(outcomes)
    ]
    capabilities = [
        {"id": cid, "area": "a", "title": "t", "status": status, "outcome": o, "accepted": o == "PASS"}
        for cid, status, o in caps
    ]
    return {
        "verdict": "NOT CERTIFIED",
        "tests": tests,
        "score": {"profiles": {"p": {"verdict": "NOT CERTIFIED", "capabilities": capabilities}}},
    }


def test_outcomes_map_to_junit_elements():
    doc = etree.fromstring(
        junit.render(
            report(
                ["PASS", "FAIL", "ERROR", "UNSUPPORTED", "SKIP", "MISSING"],
                [("a.req", "required", "FAIL"), ("a.adv", "advisory", "FAIL"), ("a.ok", "required", "PASS")],
            )
        ).encode()
    )
    tests, caps = doc.findall("testsuite")
    assert (tests.get("tests"), tests.get("failures"), tests.get("errors"), tests.get("skipped")) == (
        "6",
        "1",
        "2",
        "2",
    )
    skipped = [c.find("skipped").get("message") for c in tests if c.find("skipped") is not None]
    assert skipped[0].startswith("UNSUPPORTED:"), "an unsupported test must never look like a pass"
    by_id = {c.get("name"): c for c in caps}
    assert by_id["a.req"].find("failure") is not None
    assert by_id["a.adv"].find("failure") is None and by_id["a.adv"].find("skipped") is not None
    assert len(by_id["a.ok"]) == 0
