"""Scoring: records x criteria -> per-capability outcomes, per-area scores and a verdict.

CERTIFIED only when every applicable required capability passed (or holds a valid waiver);
NOT CERTIFIED when one failed or was unsupported; INCOMPLETE when one has errors, skips or
missing tests, or the job was interrupted.
"""

import datetime
from collections import Counter, defaultdict

from avocado_cert.base import outcome

CERTIFIED = "CERTIFIED"
NOT_CERTIFIED = "NOT CERTIFIED"
INCOMPLETE = "INCOMPLETE"

_REJECTING = (outcome.FAIL, outcome.UNSUPPORTED)
_UNDECIDED = (outcome.ERROR, outcome.MISSING, outcome.SKIP)


def _threshold_outcome(rec, bounds):
    """(outcome, problems) of one record against the capability's metric bounds."""
    if rec.outcome != outcome.PASS or not bounds:
        return rec.outcome, []
    problems = []
    missing = False
    for metric, bound in sorted(bounds.items()):
        measured = rec.metrics.get(metric)
        if measured is None:
            missing = True
            problems.append(f"{metric} was not measured")
            continue
        value = measured["value"]
        if "max" in bound and value > bound["max"]:
            problems.append(f"{metric} = {value:g}{measured['unit']} > {bound['max']:g}")
        if "min" in bound and value < bound["min"]:
            problems.append(f"{metric} = {value:g}{measured['unit']} < {bound['min']:g}")
    if not problems:
        return outcome.PASS, []
    return (outcome.ERROR if missing else outcome.FAIL), problems


def _capability_result(cap, status, recs, waiver, today, bounds=None):
    by_variant = defaultdict(list)
    judged = []
    threshold_problems = []
    for rec in recs:
        result_of_rec, problems = _threshold_outcome(rec, bounds)
        judged.append(result_of_rec)
        by_variant[rec.variant].append(result_of_rec)
        threshold_problems.extend(f"{rec.test} [{rec.variant}]: {p}" for p in problems)
    result = outcome.aggregate(judged)
    entry = {
        "id": cap.id,
        "area": cap.area,
        "title": cap.title,
        "status": status,
        "outcome": result,
        "tests": len(recs),
        "counts": dict(Counter(judged)),
        "thresholds": bounds or {},
        "threshold_problems": threshold_problems,
        "variants": {vid: outcome.aggregate(outs) for vid, outs in sorted(by_variant.items())},
        "accepted": result == outcome.PASS,
        "waiver": None,
        "expired_waiver": None,
    }
    if result != outcome.PASS and waiver is not None:
        if waiver.expired(today):
            entry["expired_waiver"] = waiver.to_dict()
        else:
            entry["waiver"] = waiver.to_dict()
            entry["accepted"] = True
    return entry


def _verdict(capabilities, interrupted):
    required = [c for c in capabilities if c["status"] == "required" and not c["accepted"]]
    failed = [c["id"] for c in required if c["outcome"] in _REJECTING]
    undecided = [c["id"] for c in required if c["outcome"] in _UNDECIDED]
    if failed:
        return NOT_CERTIFIED, failed, undecided
    if undecided or interrupted:
        return INCOMPLETE, failed, undecided
    return CERTIFIED, failed, undecided


def _areas(recs, capabilities):
    areas = defaultdict(lambda: {"tests": 0, "counts": Counter(), "capabilities": 0, "accepted": 0})
    for rec in recs:
        area = areas[rec.area or "unknown"]
        area["tests"] += 1
        area["counts"][rec.outcome] += 1
    for cap in capabilities:
        area = areas[cap["area"]]
        area["capabilities"] += 1
        area["accepted"] += int(cap["accepted"])
    out = {}
    for name, area in sorted(areas.items()):
        passed = area["counts"][outcome.PASS]
        out[name] = {
            "tests": area["tests"],
            "counts": dict(area["counts"]),
            "score": round(100.0 * passed / area["tests"], 1) if area["tests"] else 0.0,
            "capabilities": area["capabilities"],
            "capabilities_accepted": area["accepted"],
        }
    return out


def score_profile(profile, recs, criteria, today, interrupted=False):
    """Score one profile's records against its criteria."""
    by_cap = defaultdict(list)
    for rec in recs:
        for cap_id in rec.caps:
            by_cap[cap_id].append(rec)
    capabilities = []
    for cap, status in criteria.applicable(profile):
        waiver = criteria.waiver_for(cap.id, profile)
        capabilities.append(
            _capability_result(
                cap, status, by_cap.get(cap.id, []), waiver, today, cap.thresholds_for(profile)
            )
        )
    verdict, failed, undecided = _verdict(capabilities, interrupted)
    known = set(criteria.by_id)
    return {
        "verdict": verdict,
        "criteria": {"version": criteria.version, "sha256": criteria.sha256},
        "capabilities": capabilities,
        "failed_required": failed,
        "incomplete_required": undecided,
        "areas": _areas(recs, capabilities),
        "counts": dict(Counter(rec.outcome for rec in recs)),
        "unknown_capabilities": sorted({c for rec in recs for c in rec.caps if c not in known}),
    }


def overall(verdicts):
    if not verdicts:
        return INCOMPLETE
    if NOT_CERTIFIED in verdicts:
        return NOT_CERTIFIED
    if INCOMPLETE in verdicts:
        return INCOMPLETE
    return CERTIFIED


def score(recs, criteria_by_profile, today=None, interrupted=False):
    """Score a job: {verdict, profiles: {name: profile score}, unscored: [test ids]}."""
    today = today or datetime.date.today()
    by_profile = defaultdict(list)
    unscored = []
    for rec in recs:
        if rec.profile in criteria_by_profile:
            by_profile[rec.profile].append(rec)
        else:
            unscored.append(rec.id)
    profiles = {
        name: score_profile(name, by_profile.get(name, []), criteria, today, interrupted)
        for name, criteria in criteria_by_profile.items()
    }
    return {
        "verdict": overall([p["verdict"] for p in profiles.values()]),
        "scored_on": today.isoformat(),
        "interrupted": bool(interrupted),
        "profiles": profiles,
        "unscored": unscored,
    }
