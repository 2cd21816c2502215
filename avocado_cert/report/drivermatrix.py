"""The driver matrix: per row of the support matrix (data/drivers.yaml), certified here, certifiable
(the driver answers here, or the host it needs), or not available and why: what this job certified,
and what libvirt answered for each profile's URI in the preflight (environment "driver_probes")."""

import fnmatch

from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml
from avocado_cert.base.errors import CertError
from avocado_cert.plan import profile as profile_mod
from avocado_cert.plan import variants as variants_mod

ROW_FIELDS = {
    "id": Field(str, required=True),
    "title": Field(str, required=True),
    "profiles": Field(list, required=True, item=str),
    "needs": Field(str, required=True),
}
CERTIFIED = "certified"  # this job certified a profile of the row on this host
RAN = "ran"  # this job ran a profile of the row here, without certifying it
AVAILABLE = "available"  # not run by this job; the driver answers here: certifiable here
UNAVAILABLE = "unavailable"  # the driver does not answer here: the reason, and the host it needs
NOT_MEASURED = "not measured"  # no profile URI of the row was probed


def rows(path=None):
    """The rows of data/drivers.yaml, validated."""
    path = path or paths.data_path("drivers.yaml")
    document, _raw = load_yaml(path, "driver matrix")
    if not isinstance(document, dict) or not isinstance(document.get("drivers"), list):
        raise CertError("expected a mapping with a 'drivers' list", path)
    checked = [
        check_mapping(row, ROW_FIELDS, f"drivers[{i}]", path) for i, row in enumerate(document["drivers"])
    ]
    ids = [row["id"] for row in checked]
    if len(set(ids)) != len(ids):
        raise CertError("drivers: an id is listed twice", path)
    return checked


def row_of(profile_name, table):
    """The id of the first row whose profile patterns match profile_name, or None."""
    for row in table:
        if any(fnmatch.fnmatchcase(profile_name, pattern) for pattern in row["profiles"]):
            return row["id"]
    return None


def probe_targets(table=None):
    """[(profile, uri)] of every shipped profile in a row: the URIs the preflight probes."""
    if table is None:
        try:
            table = rows()
        except CertError:
            return []
    targets = []
    for name in profile_mod.available():
        if row_of(name, table) is None:
            continue
        try:
            prof = profile_mod.load(name)
        except CertError:
            continue  # a broken profile is reported by `avocado cert profiles`, not here
        for variant in variants_mod.cross(prof):
            uri = variant.params.get("uri")
            if uri and (name, uri) not in targets:
                targets.append((name, uri))
    return targets


def _verdicts(document):
    scored = (document.get("score") or {}).get("profiles") or {}
    return {name: (scored.get(name) or {}).get("verdict", "") for name in document.get("profiles") or {}}


def _reason(status, verdicts, probes):
    if status in (CERTIFIED, RAN):
        return "; ".join(f"{name}: {verdict}" for name, verdict in sorted(verdicts.items()))
    by_uri = {p["uri"]: p for p in probes}  # several profiles share a URI
    if status == AVAILABLE:
        return "; ".join(f"{uri} answers ({p['message']})" for uri, p in by_uri.items() if p["answered"])
    return "; ".join(f"{uri}: {p['message']} ({p['code']})" for uri, p in by_uri.items())


def build(document, table=None):
    """{"rows": [...]} for a report document: each row's status, the reason measured, the host it needs."""
    if table is None:
        try:
            table = rows()
        except CertError as details:
            return {"rows": [], "problem": str(details)}  # a suite home without data/drivers.yaml
    verdicts = _verdicts(document)
    probes = (document.get("environment") or {}).get("driver_probes") or []
    out = []
    for row in table:
        ran = {name: v for name, v in verdicts.items() if row_of(name, table) == row["id"]}
        measured = [p for p in probes if row_of(p.get("profile", ""), table) == row["id"]]
        if any(v == "CERTIFIED" for v in ran.values()):
            status = CERTIFIED
        elif ran:
            status = RAN
        elif any(p["answered"] for p in measured):
            status = AVAILABLE
        elif measured:
            status = UNAVAILABLE
        else:
            status = NOT_MEASURED
        out.append(
            {
                "id": row["id"],
                "title": row["title"],
                "profiles": sorted({p["profile"] for p in measured} | set(ran)),
                "status": status,
                "verdicts": ran,
                "reason": _reason(status, ran, measured),
                "needs": row["needs"],
                "probes": measured,
            }
        )
    return {"rows": out}
