"""What a driver answered, per API area: the outcomes of a certification job, grouped by the APIs its
tests certify. Static coverage says which functions have a test; this says, for one profile's job,
which of them the driver implements (PASS), gets wrong (FAIL), does not implement (UNSUPPORTED),
and which the run could not reach (SKIP, ERROR, MISSING), each with its test's reason.
"""

import glob
import json
import os

from avocado_cert.base import outcome
from avocado_cert.base.errors import CertError

REPORT = os.path.join("cert", "report.json")

# Per API, the answer its tests add up to: a wrong answer anywhere outweighs a right one elsewhere.
IMPLEMENTED, WRONG, NOT_IMPLEMENTED, NOT_REACHED = "implemented", "wrong", "not implemented", "not reached"
ANSWERS = (IMPLEMENTED, WRONG, NOT_IMPLEMENTED, NOT_REACHED)


def _read(job_dir):
    path = os.path.join(job_dir, REPORT)
    try:
        with open(path, encoding="utf-8") as src:
            report = json.load(src)
    except OSError:
        raise CertError("not a certification job (no cert/report.json)", job_dir) from None
    except ValueError as details:
        raise CertError(f"unreadable report: {details}", path) from None
    if not isinstance(report, dict) or not isinstance(report.get("tests"), list):
        raise CertError("unreadable report: no list of tests", path)
    return report


def newest_job(profile, logs_dir):
    """The newest job folder under logs_dir whose report scored profile, or None."""
    found = []
    for path in glob.glob(os.path.join(logs_dir, "job-*", REPORT)):
        try:
            with open(path, encoding="utf-8") as src:
                profiles = json.load(src).get("profiles") or {}
        except (OSError, ValueError, AttributeError):
            continue  # a job still being written, or not a certification job
        if profile in profiles:
            found.append((os.path.getmtime(path), os.path.dirname(os.path.dirname(path))))
    return max(found)[1] if found else None


def _answer(outcomes):
    if outcome.FAIL in outcomes:
        return WRONG
    if outcome.PASS in outcomes:
        return IMPLEMENTED
    if outcome.UNSUPPORTED in outcomes:
        return NOT_IMPLEMENTED
    return NOT_REACHED


def collect(job_dir, profile):
    """{'job': ..., 'areas': {area: {'counts': {outcome: n}, 'apis': {api: {...}}}}} of one profile."""
    report = _read(job_dir)
    if profile not in (report.get("profiles") or {}):
        raise CertError(f"the job did not run profile '{profile}'", job_dir)
    areas = {}
    for test in report["tests"]:
        if test.get("profile") != profile:
            continue
        area = areas.setdefault(test.get("area") or "?", {"counts": {}, "apis": {}})
        result = test.get("outcome") or outcome.MISSING
        area["counts"][result] = area["counts"].get(result, 0) + 1
        for api in test.get("apis") or ():
            entry = area["apis"].setdefault(api, {"outcomes": {}, "reasons": {}})
            entry["outcomes"][result] = entry["outcomes"].get(result, 0) + 1
            if result != outcome.PASS and test.get("reason"):
                reason = test["reason"]
                for prefix in (outcome.UNSUPPORTED_PREFIX, outcome.SKIP_PREFIX):
                    reason = reason[len(prefix) :] if reason.startswith(prefix) else reason
                entry["reasons"].setdefault(result, reason)
    for area in areas.values():
        for entry in area["apis"].values():
            entry["answer"] = _answer(entry["outcomes"])
    return {
        "job": {"dir": os.path.abspath(job_dir), "id": (report.get("job") or {}).get("id", "")},
        "profile": profile,
        "verdict": report.get("verdict", ""),
        "areas": dict(sorted(areas.items())),
    }


def render_text(answers, width=110):
    """One block per area: its outcome counts, then its APIs by answer (with a reason where not PASS)."""
    lines = [
        f"What the driver of profile '{answers['profile']}' answered (job {answers['job']['dir']}, "
        f"verdict {answers['verdict']}):"
    ]
    for name, area in answers["areas"].items():
        counts = ", ".join(
            f"{key.lower()} {area['counts'][key]}" for key in outcome.ALL if key in area["counts"]
        )
        lines += ["", f"{name}: {sum(area['counts'].values())} tests: {counts}"]
        for answer in ANSWERS:
            apis = sorted(api for api, entry in area["apis"].items() if entry["answer"] == answer)
            if not apis:
                continue
            lines.append(f"  {answer} ({len(apis)}):")
            for api in apis:
                entry = area["apis"][api]
                reasons = "; ".join(f"{key}: {text}" for key, text in sorted(entry["reasons"].items()))
                line = f"    {api}" + (f"  [{reasons}]" if reasons and answer != IMPLEMENTED else "")
                lines.append(line if len(line) <= width else line[: width - 3] + "...")
    return "\n".join(lines)
