"""Certification runs of the qemu profile against a chosen daemon, for the functional selftests."""

import glob
import json
import os

import yaml

from avocado_cert.base import paths

# A representative part of qemu-x86_64: every kind of object the decoys have, created and removed.
AREAS = ("host", "network", "storage", "secret", "nwfilter", "snapshot")
EXTRA_TESTS = ("domain/test_lifecycle.py", "domain/test_autostart.py")
# Guests that boot the suite's image: reboot, reset, shutdown and the ACPI button, seen from inside.
GUEST_TESTS = ("domain/test_guest_power.py",)


def qemu_profile(folder, uri, areas=AREAS, tests=EXTRA_TESTS, *, timeout=120, guest=False):
    """cfg/profiles/qemu-x86_64.yaml pointed at uri, on a part of its areas; its guest image booted
    (KVM or TCG settled by the profile's probe) only with guest=True."""
    with open(os.path.join(paths.profiles_dir(), "qemu-x86_64.yaml"), encoding="utf-8") as src:
        document = yaml.safe_load(src)
    document["areas"] = list(areas)
    document["tests"] = list(tests)
    for values in document["axes"]["driver"].values():
        values["uri"] = uri
        if not guest:
            values["domain_type"] = "qemu"
    if not guest:
        document["params"]["guest"] = "none"
    document["timeout"] = timeout
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "qemu-x86_64.yaml")
    with open(path, "w", encoding="utf-8") as out:
        yaml.safe_dump(document, out, sort_keys=False)
    return path


def latest_report(results):
    jobs = sorted(glob.glob(os.path.join(results, "job-*")), key=os.path.getmtime)
    assert jobs, f"no job under {results}"
    with open(os.path.join(jobs[-1], "cert", "report.json"), encoding="utf-8") as src:
        return json.load(src)
