"""report.html: one self-contained page (inline CSS and SVG, no network) for a certification report,
rendered from the Jinja templates under report/templates (autoescaped; the catalog shares their macros)."""

import functools
import os

import jinja2

from avocado_cert.plan import variants

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
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
ENVIRONMENT_VALUE_CHARS = 300


@functools.lru_cache(maxsize=None)
def environment():
    """The template environment: every value escaped; optional report keys that are absent render empty."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)


def area_chart(areas, width=520, bar=18):  # pylint: disable=disallowed-name
    """The per-area chart (inline SVG markup), as the report and the catalog's pages draw it."""
    macro = environment().get_template("outcomes.html").module.area_chart
    return str(macro(areas, COLORS, width, bar))


def _environment_rows(env):
    rows = []
    for key, value in sorted(env.items()):
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in sorted(value.items()) if not isinstance(v, (dict, list)))
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        text = str(value)
        if len(text) > ENVIRONMENT_VALUE_CHARS:
            text = text[:ENVIRONMENT_VALUE_CHARS] + "..."
        rows.append((key, text))
    return rows


def render(report):
    reductions = {
        name: variants.describe_reduction(reduced)
        for name, reduced in ((report.get("settings") or {}).get("reduction") or {}).items()
        if reduced
    }
    return (
        environment()
        .get_template("report.html")
        .render(
            report=report,
            score=report["score"],
            origin=report.get("origin"),
            reductions=reductions,
            environment=_environment_rows(report.get("environment") or {}),
            colors=COLORS,
            verdict_colors=VERDICT_COLORS,
        )
    )
