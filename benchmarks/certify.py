#!/usr/bin/env python3
"""Wall time of a whole certification profile, against Avocado's own floor measured in the same run.

Prints: the profile's wall time (median of the runs), its test count and verdict, the wall time per test,
a plain Avocado job of as many trivial tests with the same parallelism (the floor any Avocado job pays),
and, for profiles that boot guests, how many guest boots the run made (boot markers in the test logs).
Targets: the test profile under 90 s; qemu-x86_64 under 15 minutes.

Usage: benchmarks/certify.py [PROFILE] [RUNS]        (default: test 3)
"""

import glob
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from avocado_cert.plan import profile as profile_mod  # noqa: E402
from benchmarks._common import avocado  # noqa: E402

TARGETS = {"test": 90.0, "qemu-x86_64": 900.0}
BOOT_MARKER = b"ACERT-GUEST-BOOTED"


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


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "test"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    prof = profile_mod.load(name)
    parallel = str(prof.parallel or os.cpu_count() or 1)
    walls, floors = [], []
    with tempfile.TemporaryDirectory() as tmp:
        results = os.path.join(tmp, "results")
        for _ in range(runs):
            wall, proc = avocado("run", "--cert-profile", name, "--job-results-dir", results)
            if proc.returncode not in (0, 1, 3):
                print(f"the run failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
                return 1
            walls.append(wall)
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
        boots = guest_boots(os.path.realpath(os.path.join(results, "latest")))
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
    target = TARGETS.get(name)
    if target:
        print(f"target: under {target:.0f} s: {'met' if wall < target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
