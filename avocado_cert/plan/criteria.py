"""Success criteria: data/criteria/VERSION.yaml, versioned and content-hashed.

A capability is a promise of the API (a set of functions) that a profile must keep; its status
(required / advisory / deprecated / removed) may differ per profile. Waivers excuse one capability
on one profile until an expiry date, with a reason and a bug link.
"""

import datetime
import fnmatch
import os
import re
from dataclasses import dataclass, field

from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml, sha256_bytes
from avocado_cert.base.errors import CertError

STATUSES = ("required", "advisory", "deprecated", "removed")
CAP_ID_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
VERSION_RE = re.compile(r"^\d+(\.\d+)*$")

TOP_FIELDS = {
    "version": Field(str, required=True),
    "released": Field(datetime.date, required=True),
    "state": Field(str, default="published", choices=("draft", "published")),
    "description": Field(str, default=""),
    "capabilities": Field(list, required=True),
    "waivers": Field(list, default=list),
}
CAP_FIELDS = {
    "id": Field(str, required=True),
    "area": Field(str, required=True),
    "title": Field(str, required=True),
    "apis": Field(list, default=list, item=str),
    "status": Field(str, required=True, choices=STATUSES),
    "since": Field(str, required=True),
    "profiles": Field(list, default=lambda: ["*"], item=str),
    "status_by_profile": Field(dict, default=dict),
    "thresholds": Field(dict, default=dict),
}
WAIVER_FIELDS = {
    "capability": Field(str, required=True),
    "profile": Field(str, required=True),
    "reason": Field(str, required=True),
    "bug": Field(str, required=True),
    "expires": Field(datetime.date, required=True),
    "granted_by": Field(str, default=""),
}


def version_key(version):
    return tuple(int(part) for part in version.split("."))


@dataclass
class Capability:
    id: str
    area: str
    title: str
    apis: list
    status: str
    since: str
    profiles: list
    status_by_profile: dict
    thresholds: dict = field(default_factory=dict)  # profile pattern -> metric -> {"min"/"max": number}

    def applies_to(self, profile):
        return any(fnmatch.fnmatchcase(profile, pattern) for pattern in self.profiles)

    def status_for(self, profile):
        """The capability's status on a profile, or None where it does not apply."""
        if not self.applies_to(profile):
            return None
        return self.status_by_profile.get(profile, self.status)

    def thresholds_for(self, profile):
        """metric -> {"min"/"max": bound} for a profile; later patterns override earlier ones."""
        merged = {}
        for pattern, metrics in self.thresholds.items():
            if fnmatch.fnmatchcase(profile, pattern):
                for metric, bound in metrics.items():
                    merged[metric] = bound
        return merged


@dataclass
class Waiver:
    capability: str
    profile: str
    reason: str
    bug: str
    expires: datetime.date
    granted_by: str = ""

    def matches(self, capability, profile):
        return self.capability == capability and fnmatch.fnmatchcase(profile, self.profile)

    def expired(self, today):
        return today > self.expires

    def to_dict(self):
        return {
            "capability": self.capability,
            "profile": self.profile,
            "reason": self.reason,
            "bug": self.bug,
            "expires": self.expires.isoformat(),
            "granted_by": self.granted_by,
        }


@dataclass
class Criteria:
    version: str
    released: datetime.date
    state: str
    description: str
    capabilities: list
    waivers: list
    path: str = ""
    sha256: str = ""
    by_id: dict = field(default_factory=dict)

    def applicable(self, profile):
        """(capability, status) for every capability that applies to the profile."""
        for cap in self.capabilities:
            status = cap.status_for(profile)
            if status is not None and status != "removed":
                yield cap, status

    def waiver_for(self, capability, profile):
        """The waiver for a capability on a profile, expired or not (the caller decides)."""
        for waiver in self.waivers:
            if waiver.matches(capability, profile):
                return waiver
        return None


def _statuses(cap):
    """{profile key: status}: "*" for the default status, and every profile with its own."""
    statuses = {"*": cap.status}
    statuses.update(cap.status_by_profile)
    return statuses


def evolution_problems(old, new):
    """How criteria `new` breaks the evolution policy against its predecessor `old` (docs/policy.md):
    required only after a version as advisory, removed only after a version as deprecated. Checked for
    the default status and for every profile with a status of its own. Returns a list of sentences."""
    problems = []
    for cap in new.capabilities:
        before = old.by_id.get(cap.id)
        for key, status in sorted(_statuses(cap).items()):
            where = "" if key == "*" else f" on profile {key}"
            was = None if before is None else before.status_by_profile.get(key, before.status)
            if status == "required" and was not in ("advisory", "required"):
                problems.append(
                    f"{cap.id} is required{where} in {new.version} without having been advisory in "
                    f"{old.version} (was {was or 'absent'})"
                )
            if status == "removed" and was not in ("deprecated", "removed"):
                problems.append(
                    f"{cap.id} is removed{where} in {new.version} without having been deprecated in "
                    f"{old.version} (was {was or 'absent'})"
                )
    for cap_id, before in old.by_id.items():
        if cap_id not in new.by_id and before.status not in ("deprecated", "removed"):
            problems.append(
                f"{cap_id} is dropped from {new.version} without having been deprecated in {old.version}"
            )
    return problems


def available():
    try:
        entries = os.listdir(paths.criteria_dir())
    except OSError:
        return []
    versions = [name[:-5] for name in entries if name.endswith(".yaml") and VERSION_RE.match(name[:-5])]
    return sorted(versions, key=version_key)


def locate(version_or_path):
    if version_or_path.endswith((".yaml", ".yml")) or os.sep in version_or_path:
        if not os.path.isfile(version_or_path):
            raise CertError("no such criteria file", version_or_path)
        return os.path.abspath(version_or_path)
    path = os.path.join(paths.criteria_dir(), f"{version_or_path}.yaml")
    if not os.path.isfile(path):
        raise CertError(
            f"unknown criteria version '{version_or_path}' (available: {', '.join(available()) or 'none'})"
        )
    return path


def _capability(entry, position, path):
    where = f"capabilities[{position}]"
    data = check_mapping(entry, CAP_FIELDS, where, path)
    if not CAP_ID_RE.match(data["id"]):
        raise CertError(f"{where}.id: invalid capability id {data['id']!r} (e.g. domain.lifecycle)", path)
    if not VERSION_RE.match(data["since"]):
        raise CertError(f"{where}.since: invalid version {data['since']!r}", path)
    data["thresholds"] = _thresholds(data["thresholds"], where, path)
    for prof, status in data["status_by_profile"].items():
        if status not in STATUSES:
            raise CertError(
                f"{where}.status_by_profile.{prof}: {status!r} is not one of {', '.join(STATUSES)}", path
            )
    return Capability(**data)


def _thresholds(thresholds, where, path):
    """{profile pattern: {metric: max | {min: x, max: y}}} -> {pattern: {metric: {"min"/"max": x}}}."""
    checked = {}
    for pattern, metrics in thresholds.items():
        if not isinstance(metrics, dict) or not metrics:
            raise CertError(f"{where}.thresholds.{pattern}: expected a mapping of metric -> bound", path)
        checked[str(pattern)] = {}
        for metric, bound in metrics.items():
            if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                bound = {"max": bound}
            if (
                not isinstance(bound, dict)
                or not bound
                or set(bound) - {"min", "max"}
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bound.values())
            ):
                raise CertError(
                    f"{where}.thresholds.{pattern}.{metric}: expected a number (maximum) or "
                    "a mapping with min and/or max",
                    path,
                )
            checked[str(pattern)][str(metric)] = {k: float(v) for k, v in bound.items()}
    return checked


def _waiver(entry, position, known, path):
    where = f"waivers[{position}]"
    data = check_mapping(entry, WAIVER_FIELDS, where, path)
    if data["capability"] not in known:
        raise CertError(f"{where}.capability: unknown capability '{data['capability']}'", path)
    if not data["bug"].startswith(("https://", "http://")):
        raise CertError(f"{where}.bug: expected a link to the bug (https://...)", path)
    if not data["reason"].strip():
        raise CertError(f"{where}.reason: a waiver needs a reason", path)
    return Waiver(**data)


def parse(document, raw, path):
    data = check_mapping(document, TOP_FIELDS, "criteria", path)
    if not VERSION_RE.match(data["version"]):
        raise CertError(f"version: invalid version {data['version']!r} (e.g. 1.0)", path)
    stem = os.path.splitext(os.path.basename(path))[0]
    if VERSION_RE.match(stem) and stem != data["version"]:
        raise CertError(f"version: '{data['version']}' does not match the file name '{stem}'", path)
    caps = [_capability(entry, i, path) for i, entry in enumerate(data["capabilities"])]
    by_id = {}
    for cap in caps:
        if cap.id in by_id:
            raise CertError(f"capabilities: capability '{cap.id}' is defined twice", path)
        if version_key(cap.since) > version_key(data["version"]):
            raise CertError(
                f"capability '{cap.id}': since {cap.since} is later than this version {data['version']}",
                path,
            )
        by_id[cap.id] = cap
    waivers = [_waiver(entry, i, by_id, path) for i, entry in enumerate(data["waivers"])]
    data.update(capabilities=caps, waivers=waivers)
    return Criteria(path=path, sha256=sha256_bytes(raw), by_id=by_id, **data)


def load(version_or_path):
    """Load and validate one criteria version; any problem is a one-line CertError naming the file."""
    path = locate(version_or_path)
    document, raw = load_yaml(path, "criteria")
    return parse(document, raw, path)
