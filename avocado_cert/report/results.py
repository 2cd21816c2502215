"""Job results as certification records: one record per test x variant, with its tags and outcome."""

import json
import os
import re
from dataclasses import asdict, dataclass, field

from avocado_cert.base import outcome
from avocado_cert.base.datafile import load_json
from avocado_cert.base.errors import CertError

TEST_ID_RE = re.compile(r"^(?P<uid>\d+)-(?P<name>.*?)(?:;(?P<variant>[^;]*))?$")


@dataclass
class Record:
    id: str  # Avocado's test id: uid-name;variant
    test: str  # path:Class.method
    variant: str
    profile: str
    status: str  # Avocado's status
    outcome: str
    area: str
    caps: tuple
    apis: tuple
    reason: str
    logdir: str
    time: float
    metrics: dict = field(default_factory=dict)  # name -> {"value": number, "unit": str}

    def to_dict(self):
        data = asdict(self)
        data["caps"] = list(self.caps)
        data["apis"] = list(self.apis)
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data["caps"] = tuple(data.get("caps") or ())
        data["apis"] = tuple(data.get("apis") or ())
        data["metrics"] = data.get("metrics") or {}
        return cls(**data)


def tag_values(tags, key):
    """Values of a key:value Avocado tag, from a dict of sets/lists (results) or a flat list."""
    if not tags:
        return ()
    if isinstance(tags, dict):
        values = tags.get(key) or ()
        return tuple(sorted(str(v) for v in values))
    prefix = f"{key}:"
    return tuple(sorted(t[len(prefix) :] for t in tags if t.startswith(prefix)))


def metrics_of(whiteboard):
    """The measurements a CertTest left in its whiteboard ({"metrics": {name: {value, unit}}})."""
    if not whiteboard or not isinstance(whiteboard, str) or not whiteboard.startswith("{"):
        return {}
    try:
        metrics = json.loads(whiteboard).get("metrics") or {}
    except (ValueError, AttributeError):
        return {}
    return {
        str(name): {"value": float(m["value"]), "unit": str(m.get("unit", ""))}
        for name, m in metrics.items()
        if isinstance(m, dict) and isinstance(m.get("value"), (int, float))
    }


def split_test_id(test_id):
    """(name, variant) of an Avocado test id."""
    match = TEST_ID_RE.match(str(test_id))
    if not match:
        return str(test_id), ""
    return match.group("name"), match.group("variant") or ""


def record(entry, variant_profiles):
    """One record from a results.json-shaped test entry; variant_profiles maps variant id -> profile.

    An entry may name its test and variant itself (Avocado-VT variants carry no variant in their id)."""
    test, variant = split_test_id(entry["id"])
    test, variant = entry.get("test") or test, entry.get("variant") or variant
    status = entry.get("status") or "ERROR"
    reason = entry.get("fail_reason") or ""
    if reason == "<unknown>":
        reason = ""
    tags = entry.get("tags") or {}
    areas = tag_values(tags, "area")
    elapsed = entry.get("time_elapsed")
    return Record(
        id=str(entry["id"]),
        test=test,
        variant=variant,
        profile=variant_profiles.get(variant, ""),
        status=status,
        outcome=outcome.from_avocado(status, reason),
        area=areas[0] if areas else "",
        caps=tag_values(tags, "cap"),
        apis=tag_values(tags, "api"),
        reason=str(reason),
        logdir=entry.get("logdir") or "",
        time=float(elapsed) if isinstance(elapsed, (int, float)) else -1.0,
        metrics=metrics_of(entry.get("whiteboard")),
    )


def entries_from_result(result_tests):
    """results.json-shaped entries from Avocado's in-memory result.tests."""
    entries = []
    for test in result_tests:
        tags = test.get("tags") or {}
        entries.append(
            {
                "id": str(test.get("name")),
                "status": test.get("status"),
                "fail_reason": test.get("fail_reason"),
                "tags": {k: sorted(v) if v else [] for k, v in tags.items()},
                "logdir": test.get("logdir"),
                "time_elapsed": test.get("time_elapsed"),
                "whiteboard": test.get("whiteboard"),
            }
        )
    return entries


def records(entries, variant_profiles):
    return [record(entry, variant_profiles) for entry in entries]


def load_job_entries(job_dir):
    """The test entries of a finished job directory's results.json."""
    path = os.path.join(job_dir, "results.json")
    if not os.path.isfile(path):
        raise CertError("no results.json: not a finished Avocado job directory", job_dir)
    data = load_json(path, "job results")
    tests = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(tests, list):
        raise CertError("malformed job results: no list of tests", path)
    for position, entry in enumerate(tests):
        if not isinstance(entry, dict) or "id" not in entry:
            raise CertError(f"malformed job results: tests[{position}] has no id", path)
    return tests
