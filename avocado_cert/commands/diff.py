"""`avocado cert diff A B`: what changed between two runs (bundles or job directories)."""

import json

NAME = "diff"
HELP = "Compare two runs (bundles or job directories): regressions, fixes, added/removed tests, area scores"
SECTIONS = (
    ("regressions", "Regressions (PASS before, not now)"),
    ("fixes", "Fixes (PASS now, not before)"),
    ("changed", "Other outcome changes"),
    ("added", "Tests added"),
    ("removed", "Tests removed"),
)


def configure(parser):
    parser.add_argument("cert_diff_a", metavar="A", help="The earlier run: a bundle or a job directory")
    parser.add_argument("cert_diff_b", metavar="B", help="The later run: a bundle or a job directory")
    parser.add_argument("--json", dest="cert_diff_json", action="store_true", help="Machine-readable output")


def _fmt(value):
    return "-" if value is None else f"{value:.1f}%"


def render(doc):
    lines = [
        f"A: {doc['a']['ref']} ({doc['a']['verdict']}, {doc['a']['tests']} results)",
        f"B: {doc['b']['ref']} ({doc['b']['verdict']}, {doc['b']['tests']} results)",
    ]
    for key, title in SECTIONS:
        rows = doc[key]
        lines.append(f"{title}: {len(rows)}")
        for row in rows:
            lines.append(f"  {row['a'] or '-':>11} -> {row['b'] or '-':<11} {row['test']} [{row['variant']}]")
    lines.append("Score per area (A -> B):")
    for area, entry in doc["areas"].items():
        change = "" if entry["change"] is None else f" ({entry['change']:+.1f})"
        lines.append(f"  {area:<14} {_fmt(entry['a']):>7} -> {_fmt(entry['b']):>7}{change}")
    measured = doc.get("metrics") or []
    if measured:
        lines.append("Measurements (A -> B, B/A):")
        for row in measured:
            ratio = "-" if row["ratio"] is None else f"x{row['ratio']:g}"
            lines.append(
                f"  {row['metric']:<28} {row['a']:>12g} -> {row['b']:<12g}{row['unit']:<10} {ratio:>8}"
                f"  {row['test']} [{row['variant']}]"
            )
    return "\n".join(lines)


def run(config, out):
    from avocado_cert.offline import rundiff  # pylint: disable=import-outside-toplevel

    doc = rundiff.diff(rundiff.load(config.get("cert_diff_a")), rundiff.load(config.get("cert_diff_b")))
    out(json.dumps(doc, indent=1, sort_keys=True) if config.get("cert_diff_json") else render(doc))
    return 0
