"""Comparing two certification runs (bundles or job directories): regressions, fixes, tests added
or removed, other outcome changes, and the per-area score change.

Tests are matched by their path relative to the suite root (a bundle's suite.json names it; a job
directory is taken to have run this host's suite) and by variant id.
"""

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass

from avocado_cert.base import outcome, paths
from avocado_cert.base.datafile import load_json
from avocado_cert.base.errors import CertError
from avocado_cert.offline import bundle as layout
from avocado_cert.offline import safetar
from avocado_cert.report import writer as report


@dataclass
class Run:
    ref: str
    report: dict
    root: str

    def key(self, test):
        """The test's path relative to the suite root, whether the job named it by its absolute path or
        by one relative to the suite's parent (`avocado run ... tests/domain/`)."""
        root = self.root.rstrip("/")
        if test.startswith(root + "/"):
            return test[len(root) + 1 :]
        if not os.path.isabs(test):
            relative = os.path.normpath(test)
            suite = os.path.basename(root) + "/"
            if relative.startswith(suite):
                return relative[len(suite) :]
        return test


def load(ref, limits=None):
    """A run from a job directory or a bundle file."""
    if os.path.isdir(ref):
        path = os.path.join(ref, report.CERT_DIR, "report.json")
        if not os.path.isfile(path):
            raise CertError("no cert/report.json: not a certification job directory", ref)
        return Run(ref, _checked(load_json(path, "certification report"), path), paths.suite_dir())
    if not os.path.isfile(ref):
        raise CertError("no such bundle or job directory", ref)
    _members, kept = safetar.scan(ref, limits, keep=lambda name: name in (layout.REPORT, layout.SUITE))
    try:
        rep = json.loads(kept[layout.REPORT])
        suite = json.loads(kept[layout.SUITE])
        root = str(suite["root"])
    except KeyError as details:
        raise CertError(f"not a result bundle: no {details.args[0]}", ref) from None
    except (ValueError, UnicodeDecodeError, TypeError, RecursionError):
        raise CertError("malformed JSON in the bundle's report or suite.json", ref) from None
    return Run(ref, _checked(rep, ref), root)


def _checked(rep, where):
    tests = rep.get("tests") if isinstance(rep, dict) else None
    if not isinstance(tests, list) or not all(_entry_ok(t) for t in tests):
        raise CertError("malformed certification report: tests need test, variant and outcome strings", where)
    return rep


def _entry_ok(entry):
    if not isinstance(entry, dict):
        return False
    fields = [entry.get("test"), entry.get("variant"), entry.get("outcome"), entry.get("area") or ""]
    return all(isinstance(value, str) for value in fields)


def outcomes(run):
    """{(relative test, variant): (outcome, area)} of a run."""
    return {
        (run.key(t["test"]), t["variant"]): (t["outcome"], t.get("area") or "unknown")
        for t in run.report["tests"]
    }


def metrics(run):
    """{(relative test, variant, metric): (value, unit)} of the measurements a run recorded; entries
    that are not a number (untrusted bundles) are left out."""
    found = {}
    for test in run.report["tests"]:
        recorded = test.get("metrics")
        if not isinstance(recorded, dict):
            continue
        for name, measured in recorded.items():
            value = measured.get("value") if isinstance(measured, dict) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(name, str):
                unit = measured.get("unit")
                found[(run.key(test["test"]), test["variant"], name)] = (
                    value,
                    unit if isinstance(unit, str) else "",
                )
    return found


def metric_changes(a, b):
    """Rows of the measurements both runs recorded: a, b and b/a (None where a is 0)."""
    old, new = metrics(a), metrics(b)
    rows = []
    for key in sorted(set(old) & set(new)):
        (before, unit), (after, _unit) = old[key], new[key]
        ratio = round(after / before, 3) if before else None
        rows.append(
            {
                "test": key[0],
                "variant": key[1],
                "metric": key[2],
                "unit": unit,
                "a": before,
                "b": after,
                "ratio": ratio,
            }
        )
    return rows


def area_scores(points):
    """{area: percentage of PASS} over {key: (outcome, area)}, as the scorer counts it."""
    counts = defaultdict(Counter)
    for result, area in points.values():
        counts[area][result] += 1
    return {
        area: round(100.0 * c[outcome.PASS] / sum(c.values()), 1) if sum(c.values()) else 0.0
        for area, c in counts.items()
    }


def diff(a, b):
    """The differences from run a to run b, as a JSON-able document."""
    old, new = outcomes(a), outcomes(b)
    rows = {"regressions": [], "fixes": [], "changed": [], "added": [], "removed": []}
    for key in sorted(set(old) | set(new)):
        test, variant = key
        before = old.get(key, (None, None))[0]
        after = new.get(key, (None, None))[0]
        row = {"test": test, "variant": variant, "a": before, "b": after}
        if before is None:
            rows["added"].append(row)
        elif after is None:
            rows["removed"].append(row)
        elif before == after:
            continue
        elif before == outcome.PASS:
            rows["regressions"].append(row)
        elif after == outcome.PASS:
            rows["fixes"].append(row)
        else:
            rows["changed"].append(row)
    scores_a, scores_b = area_scores(old), area_scores(new)
    areas = {}
    for area in sorted(set(scores_a) | set(scores_b)):
        sa, sb = scores_a.get(area), scores_b.get(area)
        delta = round(sb - sa, 1) if sa is not None and sb is not None else None
        areas[area] = {"a": sa, "b": sb, "change": delta}
    return {
        "a": {"ref": a.ref, "verdict": a.report.get("verdict"), "tests": len(old)},
        "b": {"ref": b.ref, "verdict": b.report.get("verdict"), "tests": len(new)},
        **rows,
        "areas": areas,
        "metrics": metric_changes(a, b),
    }
