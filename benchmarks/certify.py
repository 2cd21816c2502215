#!/usr/bin/env python3
"""Wall time of a whole certification profile, against Avocado's own floor measured in the same run.

Prints: the profile's wall time (median of the runs), its test count and verdict, the wall time per test,
a plain Avocado job of as many trivial tests with the same parallelism (the floor any Avocado job pays),
and, for profiles that boot guests, how many guest boots the run made (boot markers in the test logs),
plain boots of the same guest after each run (the unit the wall time is also given in, so that figures
taken on a busy host compare) and the per-area profile of the last run (benchmarks/qemu_profile.py).
Targets: the test profile under 90 s; qemu-x86_64 under 180 s on 2 cores.

Usage: benchmarks/certify.py [PROFILE] [RUNS] [--keep DIR]   (default: test 3; --keep: job results kept)
"""

import argparse
import fcntl
import glob
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from avocado_cert.plan import profile as profile_mod  # noqa: E402
from benchmarks import qemu_profile  # noqa: E402
from benchmarks._common import avocado  # noqa: E402

TARGETS = {"test": 90.0, "qemu-x86_64": 180.0}
BOOT_MARKER = b"ACERT-GUEST-BOOTED"
PLAIN_BOOTS = 3
HOST_BUSY = "is using this host"


def trivial_tests(path, count):
    lines = ["from avocado import Test", "", "", "class Trivial(Test):"]
    for i in range(count):
        lines += [f"    def test_{i:04d}(self):", "        pass", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


def guest_boots(job_dir):
    boots = 0
    for log in glob.glob(os.path.join(job_dir, "test-results", "*", "debug.log")):
        with open(log, "rb") as src:
            boots += src.read().count(BOOT_MARKER)
    return boots


def plain_boots(prof, count=PLAIN_BOOTS):
    """Seconds of plain boots (resume to prompt) of the profile's guest, under the host lock like a run."""
    # pylint: disable=import-outside-toplevel
    import libvirt

    from avocado_cert.guest import variant
    from avocado_cert.host import hostcheck
    from benchmarks.qemu_guest import boot_once

    driver = next(iter(prof.axes["driver"].values()))
    arch = next(iter(prof.axes.get("arch", {"": {}}).values())) or {}
    params = dict(prof.params, **driver, **arch)
    with open(hostcheck.LOCK_PATH, "a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits for another engineer's run to end
        conn = libvirt.open(params["uri"])
        try:
            resolved = variant.resolve(params)
            image = variant.image_for(params)
            return [boot_once(conn, resolved, image) for _ in range(count)]
        finally:
            conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", default="test")
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="keep the jobs' results in DIR (for avocado cert diff)")
    options = parser.parse_args()
    name, runs, keep = options.profile, options.runs, options.keep
    prof = profile_mod.load(name)
    boots_plain = []
    parallel = str(prof.tests_at_a_time() or os.cpu_count() or 1)
    walls, floors = [], []
    with tempfile.TemporaryDirectory() as tmp:
        results = keep or os.path.join(tmp, "results")
        loads = [os.getloadavg()]
        for _ in range(runs):
            wall, proc = avocado("run", "--cert-profile", name, "--job-results-dir", results)
            while HOST_BUSY in proc.stdout + proc.stderr:  # another engineer's run holds the host: wait
                time.sleep(15)
                wall, proc = avocado("run", "--cert-profile", name, "--job-results-dir", results)
            if proc.returncode not in (0, 1, 3):
                print(f"the run failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
                return 1
            walls.append(wall)
            loads.append(os.getloadavg())
            if prof.params.get("guest"):
                boots_plain += plain_boots(prof)
            with open(os.path.join(results, "latest", "cert", "report.json"), encoding="utf-8") as src:
                report = json.load(src)
            count = len(report["tests"])
            trivial = os.path.join(tmp, "test_trivial.py")
            trivial_tests(trivial, count)
            floor, _proc = avocado(
                "run",
                "--job-results-dir",
                os.path.join(tmp, "floor"),
                "--max-parallel-tasks",
                parallel,
                trivial,
            )
            floors.append(floor)
        job_dir = os.path.realpath(os.path.join(results, "latest"))
        boots = guest_boots(job_dir)
        if prof.params.get("guest"):
            qemu_profile.print_profile(job_dir, qemu_profile.QEMU_LOGS, 15)
            print()
    wall, floor = statistics.median(walls), statistics.median(floors)
    print(f"profile {name}: {count} tests, {parallel} at a time, verdict {report['verdict']}, {runs} run(s)")
    print(f"wall time, median: {wall:.1f} s (runs: {', '.join(f'{w:.1f}' for w in walls)})")
    print(f"per test: {wall / count * 1000:.0f} ms of wall time")
    print(
        f"Avocado's floor (as many trivial tests, same parallelism), median: {floor:.1f} s "
        f"({floor / count * 1000:.0f} ms per test, Avocado's process spawner); the profile, on the "
        f"fork-server spawner, costs {wall / floor:.2f}x that floor"
    )
    if boots:
        print(f"guest boots watched to the shell on a console in the last run: {boots}")
    if boots_plain:
        boot = statistics.median(boots_plain)
        print(
            f"plain boot of the same guest after each run, median of {len(boots_plain)}: {boot:.2f} s; "
            f"the profile's wall time is {wall / boot:.1f} plain boots"
        )
    print(
        "host load averages (1, 5, 15 min) before and after each run: "
        + "; ".join("/".join(f"{x:.1f}" for x in load) for load in loads)
    )
    target = TARGETS.get(name)
    if target:
        print(f"target: under {target:.0f} s: {'met' if wall < target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
