"""report.html: one self-contained page (inline CSS and SVG, no network) for a certification report."""

from html import escape

from avocado_cert.plan import variants
from avocado_cert.report import archmatrix, equivalence

COLORS = {
    "PASS": "#2e7d32",
    "FAIL": "#c62828",
    "ERROR": "#ef6c00",
    "UNSUPPORTED": "#6a1b9a",
    "SKIP": "#9e9e9e",
    "MISSING": "#424242",
}
ORDER = tuple(COLORS)
VERDICT_COLORS = {"CERTIFIED": "#2e7d32", "NOT CERTIFIED": "#c62828", "INCOMPLETE": "#ef6c00"}

STYLE = """
body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;font-size:90%}
.verdict{display:inline-block;padding:.3em .8em;color:#fff;font-weight:bold;border-radius:4px}
code{background:#f4f4f4;padding:1px 3px;font-size:85%;word-break:break-all}
.legend span{display:inline-block;margin-right:1em}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
"""


def _e(value):
    return escape(str(value), quote=True)


def area_chart(areas, width=520, bar=18):  # pylint: disable=disallowed-name
    """Stacked horizontal bars, one per area, of test outcomes (inline SVG)."""
    label_w = 120
    rows = []
    for index, (name, area) in enumerate(areas.items()):
        y = index * (bar + 6)
        rows.append(f'<text x="0" y="{y + bar - 4}" font-size="12">{_e(name)}</text>')
        total = area["tests"] or 1
        x = float(label_w)
        for key in ORDER:
            count = area["counts"].get(key, 0)
            if not count:
                continue
            span = (width - label_w - 60) * count / total
            rows.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{span:.1f}" height="{bar}" '
                f'fill="{COLORS[key]}"><title>{_e(name)}: {count} {key}</title></rect>'
            )
            x += span
        rows.append(f'<text x="{width - 55}" y="{y + bar - 4}" font-size="12">{area["score"]:.1f}%</text>')
    height = max(len(areas), 1) * (bar + 6)
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="results per area">{"".join(rows)}</svg>'
    )


def _legend():
    return (
        '<p class="legend">'
        + "".join(f'<span><i class="sw" style="background:{c}"></i>{k}</span>' for k, c in COLORS.items())
        + "</p>"
    )


def _capabilities(caps):
    rows = ["<tr><th>capability</th><th>status</th><th>outcome</th><th>tests</th><th>waiver</th></tr>"]
    for cap in caps:
        waiver = cap.get("waiver") or cap.get("expired_waiver")
        note = ""
        if waiver:
            state = "expired, not applied" if cap.get("expired_waiver") else f"until {waiver['expires']}"
            note = f'<a href="{_e(waiver["bug"])}">{_e(waiver["reason"])}</a> ({state})'
        rows.append(
            f"<tr><td>{_e(cap['id'])}<br><small>{_e(cap['title'])}</small></td><td>{_e(cap['status'])}</td>"
            f'<td style="color:{COLORS.get(cap["outcome"], "#000")}">{_e(cap["outcome"])}</td>'
            f"<td>{cap['tests']}</td><td>{note}{_e('; '.join(cap.get('threshold_problems', [])[:5]))}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _tests(tests):
    rows = ["<tr><th>test</th><th>variant</th><th>outcome</th><th>reason / rerun</th></tr>"]
    for test in tests:
        extra = _e(test.get("reason") or "")
        if test.get("rerun"):
            extra += f"<br><code>{_e(test['rerun'])}</code>"
        rows.append(
            f"<tr><td>{_e(test['test'])}</td><td>{_e(test['variant'])}</td>"
            f'<td style="color:{COLORS.get(test["outcome"], "#000")}">{_e(test["outcome"])}</td>'
            f"<td>{extra}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _metrics(tests):
    rows = ["<tr><th>test</th><th>variant</th><th>metric</th><th>value</th></tr>"]
    for test in tests:
        for name, metric in sorted(test["metrics"].items()):
            rows.append(
                f"<tr><td>{_e(test['test'])}</td><td>{_e(test['variant'])}</td><td>{_e(name)}</td>"
                f"<td>{metric['value']:g} {_e(metric.get('unit', ''))}</td></tr>"
            )
    return "<table>" + "".join(rows) + "</table>"


def _environment(env):
    rows = []
    for key, value in sorted(env.items()):
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in sorted(value.items()) if not isinstance(v, (dict, list)))
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        text = str(value)
        if len(text) > 300:
            text = text[:300] + "..."
        rows.append(f"<tr><th>{_e(key)}</th><td>{_e(text)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>" if rows else "<p>not recorded</p>"


def render(report):
    score = report["score"]
    verdict = score["verdict"]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Certification report: {_e(verdict)}</title><style>{STYLE}</style></head><body>",
        "<h1>libvirt API certification report</h1>",
        f'<p><span class="verdict" style="background:{VERDICT_COLORS.get(verdict, "#000")}">{_e(verdict)}</span> '
        f"suite {_e(report['suite']['name'])} {_e(report['suite']['version'])}, "
        f"scored on {_e(score.get('scored_on', ''))}</p>",
    ]
    for name, prof in score["profiles"].items():
        crit = prof["criteria"]
        parts.append(
            f"<h2>Profile {_e(name)}: {_e(prof['verdict'])}</h2>"
            f"<p>criteria {_e(crit['version'])} <code>sha256 {_e(crit['sha256'])}</code></p>"
        )
        reduced = (report.get("settings") or {}).get("reduction", {}).get(name)
        if reduced:
            parts.append(f"<p>{_e(variants.describe_reduction(reduced))}</p>")
        parts.append(_legend() + area_chart(prof["areas"]))
        if prof["failed_required"]:
            parts.append(
                "<p>Failed required capabilities: " + _e(", ".join(prof["failed_required"])) + "</p>"
            )
        if prof["incomplete_required"]:
            parts.append(
                "<p>Incomplete required capabilities: " + _e(", ".join(prof["incomplete_required"])) + "</p>"
            )
        advisory = [
            c["id"] for c in prof["capabilities"] if c["status"] == "advisory" and c["outcome"] == "FAIL"
        ]
        if advisory:
            parts.append(
                "<p>Advisory capabilities failed (not blocking): " + _e(", ".join(advisory)) + "</p>"
            )
        parts.append("<h3>Capabilities</h3>" + _capabilities(prof["capabilities"]))
    parts.append(archmatrix.html_section(report.get("arch_matrix"), _e, COLORS))
    parts.append(equivalence.html_section(report.get("transport_equivalence"), _e, COLORS))
    failed = [t for t in report["tests"] if t.get("rerun")]
    if failed:
        parts.append(f"<h2>Failed variants ({len(failed)})</h2>" + _tests(failed))
    measured = [t for t in report["tests"] if t.get("metrics")]
    if measured:
        parts.append(f"<h2>Performance</h2>{_metrics(measured)}")
    parts.append(f"<h2>Environment</h2>{_environment(report.get('environment') or {})}")
    safety = report.get("host_safety") or {}
    if safety:
        problems = safety.get("problems") or []
        parts.append(
            "<h2>Host safety</h2><p>"
            + (_e("; ".join(problems)) if problems else "no pre-existing object changed, nothing left behind")
            + "</p>"
        )
    parts.append(
        f"<details><summary>All tests ({len(report['tests'])})</summary>{_tests(report['tests'])}</details>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
