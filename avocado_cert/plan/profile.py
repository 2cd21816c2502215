"""Certification profiles: cfg/profiles/NAME.yaml says what is certified, where, and against which criteria."""

import os
import re
from dataclasses import dataclass, field

from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml, sha256_bytes
from avocado_cert.base.errors import CertError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
HOST_KINDS = ("none", "libvirtd")
RUNNERS = ("avocado", "vt")  # vt: the tests run as Avocado-VT variants (cfg/vt/acert.cfg)

PROFILE_FIELDS = {
    "name": Field(str, required=True),
    "description": Field(str, required=True),
    "criteria": Field(str, required=True),
    "areas": Field(list, default=list, item=str),
    "tests": Field(list, default=list, item=str),
    "axes": Field(dict, required=True),
    "params": Field(dict, default=dict),
    "parallel": Field(int, default=None),
    # Tests at a time per host CPU, where no fixed `parallel` is given (most tests wait on the daemon).
    "parallel_per_cpu": Field(int, default=None),
    "timeout": Field(int, default=300),
    "host": Field(str, default="none", choices=HOST_KINDS),
    "verified": Field(bool, default=True),
    "runner": Field(str, default="avocado", choices=RUNNERS),
    "notes": Field(str, default=""),
    "combination_order": Field(int, default=0),
    # A driver that needs a particular host: the run is refused before any test where it does not answer.
    "refuse_unreachable": Field(bool, default=False),
}


@dataclass
class Profile:
    name: str
    description: str
    criteria: str
    areas: list
    tests: list
    axes: dict  # axis name -> {value name -> params}
    params: dict
    parallel: int
    timeout: int
    host: str
    verified: bool
    notes: str
    combination_order: int = 0  # 0: the full cross; 2: every pair of axis values; ...
    path: str = ""
    runner: str = "avocado"
    sha256: str = ""
    references: list = field(default_factory=list)
    refuse_unreachable: bool = False
    parallel_per_cpu: int = None

    def tests_at_a_time(self):
        """The profile's own parallelism: `parallel`, else `parallel_per_cpu` x the CPUs, else None."""
        if self.parallel:
            return self.parallel
        if self.parallel_per_cpu:
            return self.parallel_per_cpu * (os.cpu_count() or 1)
        return None


def available():
    """Names of the shipped profiles, sorted."""
    try:
        entries = os.listdir(paths.profiles_dir())
    except OSError:
        return []
    return sorted(name[:-5] for name in entries if name.endswith(".yaml"))


def locate(name_or_path):
    """Turn a profile name (or a path to a YAML file) into the file's path."""
    if name_or_path.endswith((".yaml", ".yml")) or os.sep in name_or_path:
        if not os.path.isfile(name_or_path):
            raise CertError("no such profile file", name_or_path)
        return os.path.abspath(name_or_path)
    path = os.path.join(paths.profiles_dir(), f"{name_or_path}.yaml")
    if not os.path.isfile(path):
        raise CertError(f"unknown profile '{name_or_path}' (available: {', '.join(available()) or 'none'})")
    return path


def _check_params(params, where, path):
    for key, value in params.items():
        if not isinstance(key, str) or not NAME_RE.match(key):
            raise CertError(f"{where}: invalid parameter name {key!r}", path)
        if not isinstance(value, (str, int, float, bool)):
            raise CertError(
                f"{where}.{key}: expected a string, number or boolean, got {type(value).__name__}",
                path,
            )


def check_axes(axes, path):
    if not axes:
        raise CertError("axes: at least one axis is required (e.g. driver)", path)
    checked = {}
    for axis, values in axes.items():
        if not isinstance(axis, str) or not NAME_RE.match(axis):
            raise CertError(f"axes: invalid axis name {axis!r}", path)
        if not isinstance(values, dict) or not values:
            raise CertError(f"axes.{axis}: expected a non-empty mapping of value -> parameters", path)
        checked[axis] = {}
        for value, params in values.items():
            value = str(value)
            if not NAME_RE.match(value):
                raise CertError(f"axes.{axis}: invalid value name {value!r}", path)
            params = params or {}
            if not isinstance(params, dict):
                raise CertError(f"axes.{axis}.{value}: expected a mapping of parameters", path)
            _check_params(params, f"axes.{axis}.{value}", path)
            checked[axis][value] = dict(params)
    return checked


def _references(profile):
    """Test references of a profile: one folder per area, plus any extra references."""
    refs = []
    for area in profile.areas:
        folder = os.path.join(paths.suite_dir(), area)
        if not os.path.isdir(folder):
            raise CertError(f"areas: no test suite for area '{area}' ({folder})", profile.path)
        refs.append(folder)
    base = os.path.dirname(profile.path)
    for ref in profile.tests:
        file_part = ref.split(":", 1)[0]
        if not os.path.isabs(file_part):
            candidate = os.path.join(paths.suite_dir(), file_part)
            if not os.path.exists(candidate):
                candidate = os.path.join(base, file_part)
            ref = os.path.normpath(candidate) + ref[len(file_part) :]
            file_part = ref.split(":", 1)[0]
        if not os.path.exists(file_part):
            raise CertError(f"tests: no such test file or folder '{file_part}'", profile.path)
        refs.append(ref)
    if not refs:
        raise CertError("the profile names no areas and no tests", profile.path)
    return refs


def load(name_or_path):
    """Load and validate one profile; any problem is a one-line CertError naming the file."""
    path = locate(name_or_path)
    document, raw = load_yaml(path, "profile")
    data = check_mapping(document, PROFILE_FIELDS, "profile", path)
    stem = os.path.splitext(os.path.basename(path))[0]
    if data["name"] != stem:
        raise CertError(f"name: '{data['name']}' does not match the file name '{stem}'", path)
    if not NAME_RE.match(data["name"]):
        raise CertError(f"name: invalid profile name {data['name']!r}", path)
    _check_params(data["params"], "params", path)
    data["axes"] = check_axes(data["axes"], path)
    if data["parallel"] is not None and data["parallel"] < 1:
        raise CertError("parallel: must be at least 1", path)
    if data["parallel_per_cpu"] is not None and data["parallel_per_cpu"] < 1:
        raise CertError("parallel_per_cpu: must be at least 1", path)
    if data["combination_order"] < 0:
        raise CertError("combination_order: must be 0 (full cross) or more", path)
    if data["timeout"] < 1:
        raise CertError("timeout: must be at least 1 second", path)
    profile = Profile(path=path, sha256=sha256_bytes(raw), **data)
    profile.references = _references(profile)
    return profile


def load_many(spec):
    """Load the comma-separated profiles of --cert-profile; names must not repeat."""
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise CertError("--cert-profile: no profile named")
    profiles = [load(name) for name in names]
    seen = set()
    for prof in profiles:
        if prof.name in seen:
            raise CertError(f"--cert-profile: profile '{prof.name}' named twice")
        seen.add(prof.name)
    return profiles


def summaries():
    """(name, description, verified, error) of every shipped profile, for `avocado cert profiles`."""
    rows = []
    for name in available():
        try:
            prof = load(name)
            rows.append((name, prof.description, prof.verified, None))
        except CertError as details:
            rows.append((name, "", False, str(details)))
    return rows
