"""Reproducing a bundle on this host: rerun exactly the test x variant points it names, with the
bundle's profile, variant parameters and criteria, and compare the new outcomes with the bundle's.

One `avocado run` per variant (its tests are named with rerun.test_reference). The profile and
criteria are the bundle's bytes: the file the job used when it is still here unchanged, else a
copy written under the work folder. Tests are looked up in this host's suite by their path
relative to the bundle's suite root.
"""

import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from avocado_cert.base import outcome, paths
from avocado_cert.base.datafile import sha256_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.offline import bundle as layout
from avocado_cert.offline import safetar, suitehash
from avocado_cert.plan import profile, variants
from avocado_cert.report import rerun, results

FAILED = (outcome.FAIL, outcome.ERROR, outcome.MISSING)


@dataclass
class Point:
    test: str  # relative to the suite root when it is in the suite
    variant: str
    profile: str
    bundle_outcome: str
    new_outcome: str = outcome.MISSING
    reason: str = ""

    @property
    def same(self):
        return self.bundle_outcome == self.new_outcome

    def to_dict(self):
        return {
            "test": self.test,
            "variant": self.variant,
            "profile": self.profile,
            "bundle": self.bundle_outcome,
            "new": self.new_outcome,
            "same": self.same,
            "reason": self.reason,
        }


@dataclass
class Reproduction:
    bundle: str
    work_dir: str
    points: list = field(default_factory=list)
    jobs: list = field(default_factory=list)  # (variant, job directory, exit code)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return bool(self.points) and all(point.same for point in self.points)

    def to_dict(self):
        return {
            "bundle": self.bundle,
            "work_dir": self.work_dir,
            "reproduced": self.ok,
            "points": [p.to_dict() for p in self.points],
            "jobs": [{"variant": v, "job_dir": d, "exit_code": c} for v, d, c in self.jobs],
            "notes": self.notes,
        }


def _keep(name):
    return name in (layout.MANIFEST, layout.REPORT, layout.SUITE) or name.startswith(
        ("profiles/", "criteria/")
    )


def _json(kept, name, bundle_path):
    if name not in kept:
        raise CertError(f"not a result bundle: no {name}", bundle_path)
    try:
        return json.loads(kept[name])
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise CertError(f"malformed JSON in {name}", bundle_path) from None


def select(report, failed=False, variant_ids=()):
    """The report's records to rerun: all of them, the failed ones, and/or those of some variants."""
    names = {f.name for f in dataclasses.fields(results.Record)}
    recs = [
        results.Record.from_dict({k: v for k, v in e.items() if k in names})
        for e in report.get("tests") or []
    ]
    known = sorted({rec.variant for rec in recs})
    unknown = [vid for vid in variant_ids if vid not in known]
    if unknown:
        raise CertError(f"--variant: the bundle has no variant '{unknown[0]}' (it has: {', '.join(known)})")
    if variant_ids:
        recs = [rec for rec in recs if rec.variant in variant_ids]
    if failed:
        recs = [rec for rec in recs if rec.outcome in FAILED]
    return recs


def _input_file(kept, member, local_path, sha256, work_dir):
    """The local file the job used if it is unchanged, else the bundle's copy under work_dir."""
    data = kept.get(member)
    if data is None or sha256_bytes(data) != sha256:
        raise CertError(f"the bundle's {member} does not match its manifest")
    if local_path and os.path.isfile(local_path):
        with open(local_path, "rb") as src:
            if sha256_bytes(src.read()) == sha256:
                return local_path
    target = os.path.join(work_dir, *member.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as out:
        out.write(data)
    return target


def _local_test(test, root):
    """This host's path of a test recorded under the bundle's suite root."""
    path, sep, method = test.rpartition(":")
    if not sep:
        path, method = test, ""
    prefix = root.rstrip("/") + "/"
    if path.startswith(prefix):
        path = os.path.join(paths.suite_dir(), *path[len(prefix) :].split("/"))
    if not os.path.isfile(path):
        raise CertError(f"test file {path} is not on this host")
    return f"{path}:{method}" if method else path


def check_variant(profile_path, variant_id, report):
    """Refuse a rerun whose variant would get other parameters here than in the bundle."""
    recorded = next((v for v in report.get("variants") or [] if v.get("id") == variant_id), None)
    here = next((v for v in variants.cross(profile.load(profile_path)) if v.id == variant_id), None)
    if recorded is None or here is None:
        raise CertError(f"variant {variant_id} is not defined by the bundle's profile")
    wanted = recorded.get("params") or {}
    for key in sorted(set(wanted) | set(here.params)):
        if wanted.get(key) != here.params.get(key):
            raise CertError(
                f"variant {variant_id} would run here with {key}={here.params.get(key)!r}, "
                f"not {wanted.get(key)!r} as in the bundle"
            )


def avocado_command():
    local = os.path.join(os.path.dirname(sys.executable), "avocado")
    return local if os.path.exists(local) else shutil.which("avocado") or "avocado"


def command(profile_path, variant, criteria_path, results_dir, tests):
    refs = [rerun.test_reference(test) for test in tests]
    return [
        avocado_command(),
        "run",
        "--cert-profile",
        profile_path,
        "--cert-variant",
        variant,
        "--cert-criteria",
        criteria_path,
        "--job-results-dir",
        results_dir,
        *refs,
    ]


def _new_outcomes(job_dir, variant, profile_name):
    """{(local test, variant): (outcome, reason)} of a finished rerun job."""
    entries = results.load_job_entries(job_dir)
    found = {}
    for rec in results.records(entries, {variant: profile_name}):
        found[(rec.test, rec.variant)] = (rec.outcome, rec.reason)
    return found


def reproduce(
    bundle_path, work_dir=None, failed=False, variant_ids=(), limits=None, run=subprocess.run, progress=None
):
    """Rerun the selected points of a bundle on this host; return the Reproduction.

    work_dir (default: a new temporary folder, made only once the bundle was read) receives the
    reruns' job results and any profile or criteria file that is not on this host unchanged."""
    _members, kept = safetar.scan(bundle_path, limits, keep=_keep)
    manifest = _json(kept, layout.MANIFEST, bundle_path)
    report = _json(kept, layout.REPORT, bundle_path)
    suite = _json(kept, layout.SUITE, bundle_path)
    try:
        recs = select(report, failed, list(variant_ids))
        root = str(suite["root"])
        if recs:
            work_dir = os.path.abspath(work_dir) if work_dir else tempfile.mkdtemp(prefix="acert-reproduce-")
        plan = Reproduction(bundle_path, work_dir or "")
        local_suite = suitehash.snapshot()[0]["sha256"]
        if local_suite != suite.get("sha256"):
            plan.notes.append(
                f"this host's suite (sha256 {local_suite[:16]}) is not the bundle's "
                f"({str(suite.get('sha256'))[:16]}): outcomes may differ for that reason"
            )
        by_variant = {}
        for rec in recs:
            by_variant.setdefault((rec.profile, rec.variant), []).append(rec)
        for (profile_name, variant), group in sorted(by_variant.items()):
            prof = report["profiles"][profile_name]
            crit = manifest["criteria"][profile_name]
            profile_path = _input_file(
                kept, manifest["profiles"][profile_name]["file"], prof.get("path"), prof["sha256"], work_dir
            )
            criteria_path = _input_file(
                kept,
                crit["file"],
                ((report.get("settings") or {}).get("criteria_files") or {}).get(profile_name),
                crit["sha256"],
                work_dir,
            )
            check_variant(profile_path, variant, report)
            local = {rec.id: _local_test(rec.test, root) for rec in group}
            os.makedirs(work_dir, exist_ok=True)
            results_dir = os.path.join(work_dir, f"job-results-{variant}")
            args = command(profile_path, variant, criteria_path, results_dir, sorted(set(local.values())))
            if progress:
                progress(f"rerunning {len(group)} test(s) of variant {variant}: {shlex.join(args)}")
            done = run(args, capture_output=True, text=True, check=False)
            job_dir = os.path.realpath(os.path.join(results_dir, "latest"))
            if not os.path.isfile(os.path.join(job_dir, "results.json")):
                last = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or ["no output"]
                raise CertError(
                    f"the rerun of variant {variant} did not run (exit {done.returncode}): {last[0]}"
                )
            plan.jobs.append((variant, job_dir, done.returncode))
            new = _new_outcomes(job_dir, variant, profile_name)
            for rec in group:
                point = Point(_relative(rec.test, root), variant, profile_name, rec.outcome)
                point.new_outcome, point.reason = new.get(
                    (local[rec.id], variant), (outcome.MISSING, "no result")
                )
                plan.points.append(point)
    except (KeyError, TypeError, AttributeError, ValueError) as details:
        raise CertError(
            f"malformed bundle content ({type(details).__name__}: {details})", bundle_path
        ) from None
    return plan


def _relative(test, root):
    prefix = root.rstrip("/") + "/"
    return test[len(prefix) :] if test.startswith(prefix) else test
