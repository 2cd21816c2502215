"""From a finished job to its certification report: records, missing tests, score, files, summary."""

import datetime
import json
import os

from avocado_cert.base import outcome
from avocado_cert.offline import suitehash
from avocado_cert.report import certfiles, results, scoring
from avocado_cert.report import writer as report

VARIANTS_FILE = "variants.json"


def missing_records(recs, expected, variant_profiles):
    """MISSING records for (test, variant) pairs the job should have run but has no result for."""
    seen = {(rec.test, rec.variant) for rec in recs}
    missing = []
    for test, variant in expected:
        if (test, variant) in seen:
            continue
        missing.append(
            results.Record(
                id=f"{test};{variant}",
                test=test,
                variant=variant,
                profile=variant_profiles.get(variant, ""),
                status="",
                outcome=outcome.MISSING,
                area=expected[(test, variant)].get("area", ""),
                caps=tuple(expected[(test, variant)].get("caps", ())),
                apis=tuple(expected[(test, variant)].get("apis", ())),
                reason="no result: the test did not run",
                logdir="",
                time=-1.0,
            )
        )
    return missing


def produce(
    job_dir,
    plan,
    profile_spec,
    entries,
    expected=None,
    interrupted=False,
    job_info=None,  # pylint: disable=redefined-outer-name
    today=None,
    rerun_command=None,
):
    """Score the job's entries with the plan's criteria; write cert/report.{json,html}; return report."""
    variant_profiles = plan.variant_profiles()
    recs = results.records(entries, variant_profiles)
    if expected:
        recs.extend(missing_records(recs, expected, variant_profiles))
    score = scoring.score(recs, plan.criteria, today=today, interrupted=interrupted)
    refs = plan.profile_refs(profile_spec)
    profiles = {
        prof.name: {
            "ref": refs.get(prof.name, prof.name),
            "path": prof.path,
            "sha256": prof.sha256,
            "description": prof.description,
            "verified": prof.verified,
            "criteria": plan.criteria[prof.name].version,
        }
        for prof in plan.profiles
    }
    cert_dir = os.path.join(job_dir, report.CERT_DIR)
    settings = {
        "profile": profile_spec,
        "variants": [v.id for v in plan.variants],
        "criteria_override": plan.criteria_override,
        "criteria_files": {name: crit.path for name, crit in plan.criteria.items()},
        "reduction": plan.reduction or {},
    }
    document = report.build(
        recs,
        score,
        profiles,
        plan.variants,
        environment=certfiles.read(cert_dir, certfiles.ENVIRONMENT),
        host_safety=certfiles.read(cert_dir, certfiles.HOST_SAFETY),
        job=job_info,
        settings=settings,
        rerun_command=rerun_command,
    )
    # The suite as it ran: a bundle made later must carry exactly these test files.
    document["suite"]["sha256"] = suitehash.snapshot()[0]["sha256"]
    report.write(document, job_dir)
    with open(os.path.join(cert_dir, VARIANTS_FILE), "w", encoding="utf-8") as out:
        json.dump([v.to_dict() for v in plan.variants], out, indent=1, sort_keys=True)
    return document


def job_info(job_id, logdir, started=None, elapsed=None):
    return {
        "id": job_id,
        "logdir": logdir,
        "started": str(started) if started else "",
        "elapsed": round(elapsed, 3) if isinstance(elapsed, (int, float)) else None,
        "scored_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
