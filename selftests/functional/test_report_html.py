"""report.html in a real browser: rendered from the templates, the chart laid out in the outcome colours,
every section present, names escaped, nothing executable."""

from avocado_cert.report import html as html_report

HOSTILE = '<img src=x onerror="document.title=1">'


def _report():
    areas = {
        "domain": {"tests": 7, "score": 85.7, "counts": {"PASS": 6, "FAIL": 1}},
        HOSTILE: {"tests": 2, "score": 50.0, "counts": {"PASS": 1, "UNSUPPORTED": 1}},
    }
    cap = {"id": "domain.lifecycle", "title": HOSTILE, "status": "required", "outcome": "PASS", "tests": 3}
    failed = {"test": HOSTILE, "variant": "test-x86_64-local", "outcome": "FAIL", "reason": "boom <b>"}
    failed["rerun"] = "avocado run --cert-profile test t.py"
    row = {"id": "t.py:A.plug", "differs": True, "outcomes": {"x86_64": "PASS", "aarch64": "ERROR"}}
    row["reasons"] = {"aarch64": "no hot-plug"}
    return {
        "suite": {"name": "avocado-cert", "version": "0"},
        "score": {
            "verdict": "NOT CERTIFIED",
            "scored_on": "2026-12-06",
            "profiles": {
                "test": {
                    "verdict": "NOT CERTIFIED",
                    "criteria": {"version": "1.1", "sha256": "0" * 64},
                    "areas": areas,
                    "failed_required": ["domain.lifecycle"],
                    "incomplete_required": [],
                    "capabilities": [cap],
                }
            },
        },
        "tests": [failed, {"test": "t.py:A.ok", "variant": "v", "outcome": "PASS", "metrics": {}}],
        "arch_matrix": {
            "columns": {
                label: {
                    "domain_type": "qemu",
                    "driver": "qemu",
                    "variants": [label],
                    "tests": 1,
                    "counts": {},
                }
                for label in ("x86_64", "aarch64")
            },
            "capabilities": [],
            "tests": [row],
            "differences": {"capabilities": [], "tests": ["t.py:A.plug"]},
        },
        "environment": {"libvirt": "9.0.0", "host_arch": HOSTILE},
        "host_safety": {"problems": []},
    }


def test_report_page_renders_in_a_browser(browser, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html_report.render(_report()), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.title == "Certification report: NOT CERTIFIED"  # the hostile names ran nothing
    assert not browser.execute_script("return document.querySelector('script, img')")
    badge = browser.find_element("css selector", "span.verdict")
    assert badge.text == "NOT CERTIFIED"
    assert badge.value_of_css_property("background-color") == "rgba(198, 40, 40, 1)"  # #c62828
    bars = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.chart rect.bar')).map(function (r) {"
        " var box = r.getBoundingClientRect(); return [box.width, box.height, getComputedStyle(r).fill]; });"
    )
    assert len(bars) == 4 and all(width > 0 and height > 0 for width, height, _fill in bars)
    fills = {fill for _w, _h, fill in bars}
    assert {"rgb(46, 125, 50)", "rgb(198, 40, 40)", "rgb(106, 27, 154)"} <= fills  # PASS, FAIL, UNSUPPORTED
    headings = [h.text for h in browser.find_elements("css selector", "h2")]
    for expected in (
        "Profile test: NOT CERTIFIED",
        "Per-arch comparison",
        "Failed variants (1)",
        "Environment",
    ):
        assert expected in headings
    body = browser.find_element("css selector", "body").text
    assert HOSTILE in body and "boom <b>" in body  # shown as text, not markup
    cell = browser.find_element("css selector", "td[title='no hot-plug']")
    assert cell.get_attribute("textContent") == "ERROR"  # in the collapsed tests-by-arch table
