"""What a verified bundle shows, read with verify's own code: the score re-computed from the raw
results (verify.rescore), the environment, and the outcome of every API per driver."""

from collections import defaultdict
from dataclasses import dataclass, field

from avocado_cert.base import outcome
from avocado_cert.offline import bundle as layout
from avocado_cert.offline import safetar, signing, verify


@dataclass
class Evidence:
    verdict: str
    profiles: dict  # name -> sha256 of the bundled profile
    criteria: dict  # name -> (version, sha256)
    suite: tuple  # (version, sha256)
    job_id: str
    scored_on: str
    drivers: str
    arches: str
    libvirt_versions: str
    hypervisor_versions: str
    tests: int
    passed: int
    areas: list = field(default_factory=list)  # (profile, area, tests, score, counts)
    capabilities: list = field(default_factory=list)  # (profile, id, status, outcome, accepted)
    apis: list = field(default_factory=list)  # (driver, driver version, api, outcome, tests)
    origin: dict = None  # the signed origin (offline.origin), None when the bundle names none
    results_sha256: str = ""  # of the raw results: with the job id, the run's identity


def _join(values):
    return ", ".join(sorted({str(v) for v in values if v not in (None, "")}))


def read(path, public_pem, releases, published, limits=None):
    """The evidence of a bundle that verify.verify accepted with the same key and configuration."""
    members, kept = safetar.scan(path, limits, keep=verify.read_by_rules)
    ctx = verify.Context(members, kept, signing.parse_public(public_pem), releases, published)
    score, recs = verify.rescore(ctx)
    manifest, env = ctx.manifest, ctx.json(layout.ENVIRONMENT)
    targets = env.get("targets") or {}
    variant_params = {v["id"]: v.get("params") or {} for v in ctx.variants()}

    def driver_of(vid):
        params = variant_params.get(vid, {})
        target = targets.get(params.get("uri")) or {}
        name = str(params.get("driver") or target.get("driver") or "unknown").lower()
        return name, str(target.get("libvirt_daemon_version") or target.get("libvirt_library_version") or "")

    per_api = defaultdict(list)
    for rec in recs:
        driver, version = driver_of(rec.variant)
        for api in rec.apis:
            per_api[(driver, version, api)].append(rec.outcome)
    apis = [(d, v, api, outcome.aggregate(outs), len(outs)) for (d, v, api), outs in sorted(per_api.items())]
    areas, caps = [], []
    for name, prof in sorted(score["profiles"].items()):
        for area, data in sorted(prof["areas"].items()):
            areas.append((name, area, data["tests"], data["score"], dict(data["counts"])))
        for cap in prof["capabilities"]:
            caps.append((name, cap["id"], cap["status"], cap["outcome"], bool(cap["accepted"])))
    counted = [rec for rec in recs if rec.outcome != outcome.MISSING]
    drivers = [driver_of(vid)[0] for vid in variant_params]
    hypervisors = [
        f"{t.get('driver', '')} {t.get('hypervisor_version', '')}".strip() for t in targets.values()
    ]
    return Evidence(
        verdict=score["verdict"],
        profiles={name: entry.get("sha256", "") for name, entry in manifest["profiles"].items()},
        criteria={
            name: (entry.get("version", ""), entry.get("sha256", ""))
            for name, entry in manifest["criteria"].items()
        },
        suite=(str(manifest["suite"].get("version", "")), str(manifest["suite"].get("sha256", ""))),
        job_id=str(manifest["job"].get("id", "")),
        scored_on=score["scored_on"],
        drivers=_join(drivers),
        arches=_join(p.get("arch") for p in variant_params.values()),
        libvirt_versions=_join(t.get("libvirt_daemon_version") for t in targets.values()),
        hypervisor_versions=_join(hypervisors),
        tests=len(recs),
        passed=sum(1 for rec in counted if rec.outcome == outcome.PASS),
        areas=areas,
        capabilities=caps,
        apis=apis,
        origin=manifest.get("origin") if isinstance(manifest.get("origin"), dict) else None,
        results_sha256=str((manifest["files"].get(layout.RESULTS) or {}).get("sha256", "")),
    )
