"""The certification report: cert/report.json, cert/report.html and the one-screen summary."""

import json
import os

from avocado_cert.base import outcome
from avocado_cert.plan import variants as variants_mod
from avocado_cert.report import archmatrix, certfiles, drivermatrix, equivalence
from avocado_cert.report import html as html_report
from avocado_cert.report import junit, rerun
from avocado_cert.version import VERSION

REPORT_FORMAT = 1
CERT_DIR = certfiles.CERT_DIR
SUMMARY_FAILURES = 15

_FAILED = (outcome.FAIL, outcome.ERROR, outcome.MISSING)


def build(
    recs,
    score,
    profiles,
    variants,
    environment=None,
    host_safety=None,
    job=None,
    settings=None,
    rerun_command=None,
):
    """The report document; profiles maps name -> {ref, path, sha256, description, ...}.

    rerun_command(rec) gives the rerun of a failed record that `avocado run --cert-profile` cannot
    (an Avocado-VT variant of a QE job), or None for the usual one."""
    tests = []
    criteria_refs = (settings or {}).get("criteria_override")
    for rec in recs:
        entry = rec.to_dict()
        if rec.outcome in _FAILED:
            command = rerun_command(rec) if rerun_command else None
            if command is None and rec.profile in profiles:
                command = rerun.command(rec, profiles[rec.profile]["ref"], criteria_refs)
            if command:
                entry["rerun"] = command
        tests.append(entry)
    variant_list = [v.to_dict() if hasattr(v, "to_dict") else v for v in variants]
    document = {
        "format": REPORT_FORMAT,
        "suite": {"name": "avocado-cert", "version": VERSION},
        "job": job or {},
        "settings": settings or {},
        "verdict": score["verdict"],
        "profiles": profiles,
        "variants": variant_list,
        "environment": environment or {},
        "host_safety": host_safety or {},
        "score": score,
        "tests": tests,
        # The same test under several transports of one job, where its outcome differs between them.
        "transport_equivalence": equivalence.compare({"variants": variant_list, "tests": tests}),
    }
    # Each architecture (and driver) of the job side by side, with the differences flagged.
    document["arch_matrix"] = archmatrix.compare(document)
    # Each row of the support matrix: certified here, certifiable (and on what host), or why not.
    document["driver_matrix"] = drivermatrix.build(document)
    return document


def write(report, job_dir):
    """Write report.json and report.html under JOB_DIR/cert; return the cert directory."""
    cert_dir = os.path.join(job_dir, CERT_DIR)
    os.makedirs(cert_dir, exist_ok=True)
    with open(os.path.join(cert_dir, "report.json"), "w", encoding="utf-8") as out:
        json.dump(report, out, indent=1, sort_keys=True)
    with open(os.path.join(cert_dir, "report.html"), "w", encoding="utf-8") as out:
        out.write(html_report.render(report))
    with open(os.path.join(cert_dir, "junit.xml"), "w", encoding="utf-8") as out:
        out.write(junit.render(report))
    return cert_dir


def _area_table(areas):
    cols = (outcome.PASS, outcome.FAIL, outcome.ERROR, outcome.UNSUPPORTED, outcome.SKIP, outcome.MISSING)
    heads = ("pass", "fail", "error", "unsup", "skip", "miss")
    lines = ["  {:<14}{:>6}".format("area", "tests") + "".join(f"{h:>7}" for h in heads) + f"{'score':>8}"]
    for name, area in areas.items():
        counts = area["counts"]
        cells = "".join(f"{counts.get(col, 0):>7}" for col in cols)
        lines.append(f"  {name:<14}{area['tests']:>6}{cells}{area['score']:>7.1f}%")
    return lines


def summary(report, report_path=None):
    """The one-screen text: verdict, per-area scores, failed capabilities, rerun commands."""
    score = report["score"]
    lines = [f"CERTIFICATION VERDICT: {score['verdict']}"]
    for name, prof in score["profiles"].items():
        crit = prof["criteria"]
        lines.append(
            f"Profile {name}: {prof['verdict']} (criteria {crit['version']}, sha256 {crit['sha256'][:12]})"
        )
        reduced = (report.get("settings") or {}).get("reduction", {}).get(name)
        if reduced:
            lines.append("  " + variants_mod.describe_reduction(reduced))
        lines.extend(_area_table(prof["areas"]))
        if prof["failed_required"]:
            lines.append("  Failed required capabilities: " + ", ".join(prof["failed_required"]))
        if prof["incomplete_required"]:
            lines.append("  Incomplete required capabilities: " + ", ".join(prof["incomplete_required"]))
        advisory = [
            c["id"]
            for c in prof["capabilities"]
            if c["status"] == "advisory" and c["outcome"] == outcome.FAIL
        ]
        if advisory:
            lines.append("  Advisory capabilities failed (not blocking): " + ", ".join(advisory))
        for cap in prof["capabilities"]:
            for problem in cap.get("threshold_problems", [])[:3]:
                lines.append(f"  {cap['id']} ({cap['status']}): {problem}")
        expired = [c["id"] for c in prof["capabilities"] if c.get("expired_waiver")]
        if expired:
            lines.append("  Expired waivers (not applied): " + ", ".join(expired))
    lines.extend(archmatrix.summary_lines(report.get("arch_matrix")))
    lines.extend(equivalence.summary_lines(report.get("transport_equivalence")))
    if score.get("interrupted"):
        lines.append("The job was interrupted: the verdict cannot be CERTIFIED.")
    measured = [t for t in report["tests"] if t.get("metrics")]
    if measured:
        lines.append(
            f"Performance: {sum(len(t['metrics']) for t in measured)} measurements by {len(measured)} tests "
            "(the report lists them)"
        )
    failed = [t for t in report["tests"] if t.get("rerun")]
    if failed:
        lines.append(f"Failed variants ({len(failed)}), each with the command that reruns it:")
        for test in failed[:SUMMARY_FAILURES]:
            reason = (test["reason"] or "").splitlines()[0][:100] if test["reason"] else ""
            lines.append(f"  {test['outcome']} {test['test']} [{test['variant']}] {reason}")
            lines.append(f"    {test['rerun']}")
        if len(failed) > SUMMARY_FAILURES:
            lines.append(f"  ... {len(failed) - SUMMARY_FAILURES} more in the report")
    safety = report.get("host_safety") or {}
    if safety.get("problems"):
        lines.append("Host safety problems: " + "; ".join(safety["problems"][:5]))
    if report_path:
        lines.append(f"Certification report: {report_path}")
    return "\n".join(lines)
