"""The per-arch comparison of a certification report: each architecture (and driver) of the job as a
column, each test and capability as a row, and the rows whose outcome differs between columns flagged.

Computed from the report document alone (its variants and tests), so a bundle's report gives the same
comparison offline."""

from collections import OrderedDict

from avocado_cert.base import outcome

SUMMARY_DIFFERENCES = 10


def variant_arch(variant):
    """The guest architecture a report variant certifies: its arch axis, else its guest_arch param."""
    axes = variant.get("axes") or {}
    params = variant.get("params") or {}
    return str(axes.get("arch") or params.get("guest_arch") or params.get("arch") or "")


def _columns(variants):
    """label -> {arch, driver, profiles, variants}; labels name the driver only when the job has several."""
    drivers = {str((v.get("axes") or {}).get("driver") or "") for v in variants}
    columns = OrderedDict()
    for variant in variants:
        arch = variant_arch(variant)
        driver = str((variant.get("axes") or {}).get("driver") or "")
        label = f"{driver}/{arch}" if len(drivers) > 1 and driver else arch
        column = columns.setdefault(
            label, {"arch": arch, "driver": driver, "profiles": [], "variants": [], "domain_type": ""}
        )
        column["variants"].append(variant["id"])
        if variant.get("profile") and variant["profile"] not in column["profiles"]:
            column["profiles"].append(variant["profile"])
        column["domain_type"] = column["domain_type"] or str(
            (variant.get("params") or {}).get("domain_type", "")
        )
    return columns


def _cells(tests, column_of, key_of):
    """row key -> column label -> [test entries]."""
    rows = OrderedDict()
    for test in sorted(tests, key=lambda t: (key_of(t) or ("",))[0]):
        label = column_of.get(test.get("variant"))
        if label is None:
            continue
        for key in key_of(test):
            rows.setdefault(key, {}).setdefault(label, []).append(test)
    return rows


def _row(key, cells, labels):
    outcomes = {}
    reasons = {}
    for label in labels:
        entries = cells.get(label)
        if not entries:
            continue
        outcomes[label] = outcome.aggregate([t["outcome"] for t in entries])
        worst = [t for t in entries if t["outcome"] == outcomes[label] and t.get("reason")]
        if outcomes[label] != outcome.PASS and worst:
            reasons[label] = str(worst[0]["reason"]).splitlines()[0][:160]
    return {
        "id": key,
        "outcomes": outcomes,
        "reasons": reasons,
        "differs": len(set(outcomes.values())) > 1,
        "missing_in": [label for label in labels if label not in outcomes],
    }


def compare(report):
    """The comparison document (stored in the report as arch_matrix), or None for a report without variants."""
    variants = [v for v in report.get("variants") or [] if isinstance(v, dict) and v.get("id")]
    if not variants:
        return None
    columns = _columns(variants)
    labels = list(columns)
    column_of = {vid: label for label, col in columns.items() for vid in col["variants"]}
    tests = [t for t in report.get("tests") or [] if isinstance(t, dict)]
    for label, column in columns.items():
        mine = [t for t in tests if column_of.get(t.get("variant")) == label]
        column["counts"] = {name: sum(1 for t in mine if t["outcome"] == name) for name in outcome.ALL}
        column["tests"] = len(mine)
    test_rows = [
        _row(key, cells, labels) for key, cells in _cells(tests, column_of, lambda t: [t["test"]]).items()
    ]
    cap_rows = [
        _row(key, cells, labels)
        for key, cells in _cells(tests, column_of, lambda t: list(t.get("caps") or [])).items()
    ]
    return {
        "columns": columns,
        "capabilities": cap_rows,
        "tests": test_rows,
        "differences": {
            "capabilities": [row["id"] for row in cap_rows if row["differs"]],
            "tests": [row["id"] for row in test_rows if row["differs"]],
        },
    }


def _cell_text(row, label):
    return row["outcomes"].get(label, "-")


def summary_lines(matrix):
    """Text lines for the one-screen summary: the columns, then the differing capabilities and tests."""
    if not matrix:
        return []
    columns = matrix["columns"]
    described = ", ".join(
        f"{label} ({col['domain_type'] or col['driver'] or 'default'}: {col['tests']} tests, "
        f"{col['counts'].get(outcome.PASS, 0)} pass)"
        for label, col in columns.items()
    )
    if len(columns) == 1:
        return [f"Architecture: {described}"]
    lines = [f"Per-arch comparison: {described}"]
    differing = [row for row in matrix["capabilities"] if row["differs"]]
    tests = [row for row in matrix["tests"] if row["differs"]]
    if not differing and not tests:
        lines.append("  Every test that ran on several architectures had the same outcome on each")
        return lines
    labels = list(columns)
    width = max(len(label) for label in labels) + 2
    lines.append(
        f"  {len(differing)} capabilities and {len(tests)} tests differ between architectures "
        "(the report lists them side by side):"
    )
    lines.append(
        "  {:<44}".format("capability / test") + "".join(f"{label:>{width + 10}}" for label in labels)
    )
    for row in (differing + tests)[:SUMMARY_DIFFERENCES]:
        name = row["id"] if len(row["id"]) <= 44 else "..." + row["id"][-41:]
        lines.append(f"  {name:<44}" + "".join(f"{_cell_text(row, label):>{width + 10}}" for label in labels))
    if len(differing) + len(tests) > SUMMARY_DIFFERENCES:
        lines.append(f"  ... {len(differing) + len(tests) - SUMMARY_DIFFERENCES} more in the report")
    return lines
