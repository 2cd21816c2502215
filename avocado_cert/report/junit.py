"""cert/junit.xml: the certification in the JUnit format CI systems read.

One testsuite per profile with a testcase per test x variant (UNSUPPORTED and SKIP are <skipped>, with
the outcome in the message: a pipeline never counts them as passed), and one testsuite per profile with a
testcase per applicable capability, failed when the capability keeps the profile from being certified.
"""

from lxml import etree

from avocado_cert.base import outcome

_FAILURE = {outcome.FAIL: "failure", outcome.ERROR: "error", outcome.MISSING: "error"}
_SKIPPED = (outcome.UNSUPPORTED, outcome.SKIP)


def _case(suite, classname, name, result, message, seconds=0.0):
    case = etree.SubElement(suite, "testcase", classname=classname, name=name, time=f"{max(seconds, 0):.3f}")
    if result in _FAILURE:
        etree.SubElement(case, _FAILURE[result], type=result, message=message[:1000]).text = message
    elif result in _SKIPPED:
        etree.SubElement(case, "skipped", type=result, message=f"{result}: {message}"[:1000])
    return case


def _counts(suite):
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))


def render(report):
    root = etree.Element("testsuites", name=f"avocado-cert {report['verdict']}")
    for name, prof in report["score"]["profiles"].items():
        tests = etree.SubElement(root, "testsuite", name=f"{name} tests")
        for test in (t for t in report["tests"] if t.get("profile") == name):
            _case(
                tests,
                f"{name}.{test.get('area') or 'unknown'}",
                f"{test['test']};{test['variant']}",
                test["outcome"],
                test.get("reason") or "",
                test.get("time") or 0.0,
            )
        _counts(tests)
        caps = etree.SubElement(root, "testsuite", name=f"{name} capabilities: {prof['verdict']}")
        for cap in prof["capabilities"]:
            result = cap["outcome"]
            if cap["accepted"]:
                result = outcome.PASS
            elif cap["status"] != "required":
                # Advisory, deprecated: reported, never decisive.
                result = outcome.SKIP if result != outcome.PASS else outcome.PASS
            message = f"{cap['status']} capability, outcome {cap['outcome']}: {cap['title']}"
            _case(caps, f"{name}.capability.{cap['area']}", cap["id"], result, message)
        _counts(caps)
    return etree.tostring(
        root, encoding="unicode", pretty_print=True, doctype='<?xml version="1.0" encoding="UTF-8"?>'
    )
