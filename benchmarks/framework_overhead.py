#!/usr/bin/env python3
"""Framework overhead: a certification job of N tests against a plain Avocado job of the same N
trivial tests, measured alternately in the same run, both with this virtualenv's bin/ on PATH (an
activated venv, `make certify`) and without it (`.venv/bin/avocado` from a CI script or cron job, where
Avocado names each runner `python -m MODULE`); target ratio <= 1.0 both ways.

Also prints the cost of CertTest itself (a connection to test:///default per test) and Avocado's
floor per test, for context. Usage: benchmarks/framework_overhead.py [N] [ROUNDS]
"""

import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks._common import avocado  # noqa: E402  pylint: disable=wrong-import-position

TARGET = 1.0
PARALLEL = "2"

CRITERIA = """
version: "1.0"
released: 2026-11-27
capabilities:
  - {id: bench.trivial, area: bench, title: trivial, status: required, since: "1.0"}
"""

PROFILE = """
name: bench
description: framework overhead benchmark
criteria: {criteria}
tests: [{tests}]
axes:
  driver:
    test: {{uri: "test:///default"}}
parallel: 2
"""


def trivial_file(path, count, base):
    lines = [
        f"from {base[0]} import {base[1]}",
        "",
        "",
        f"class Trivial({base[1]}):",
        '    """',
        "    :avocado: tags=area:bench,cap:bench.trivial",
        '    """',
        "",
    ]
    for i in range(count):
        lines += [f"    def test_{i:04d}(self):", "        self.assertTrue(True)", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "test_plain.py")
        certtest = os.path.join(tmp, "test_certtest.py")
        trivial_file(plain, count, ("avocado", "Test"))
        trivial_file(certtest, count, ("avocado_cert.testing", "CertTest"))
        crit = os.path.join(tmp, "criteria", "1.0.yaml")
        os.makedirs(os.path.dirname(crit))
        with open(crit, "w", encoding="utf-8") as out:
            out.write(CRITERIA)
        profiles = {}
        for name, tests in (("bench", plain), ("benchct", certtest)):
            path = os.path.join(tmp, name, "bench.yaml")
            os.makedirs(os.path.dirname(path))
            with open(path, "w", encoding="utf-8") as out:
                out.write(PROFILE.format(criteria=crit, tests=tests))
            profiles[name] = path
        results = os.path.join(tmp, "results")
        common = ["--job-results-dir", results, "--disable-sysinfo", "--max-parallel-tasks", PARALLEL]
        jobs = (
            ("plain", ["run", plain], True),
            ("cert", ["run", "--cert-profile", profiles["bench"]], True),
            ("plain_off_path", ["run", plain], False),
            ("cert_off_path", ["run", "--cert-profile", profiles["bench"]], False),
            ("certtest", ["run", "--cert-profile", profiles["benchct"]], True),
            # The same certification job on Avocado's own spawner: the plugins' cost alone.
            ("cert_process", ["run", "--cert-profile", profiles["bench"], "--spawner", "process"], True),
        )
        runs = {key: [] for key, _args, _on_path in jobs}
        for _ in range(rounds):
            for key, args, on_path in jobs:
                elapsed, proc = avocado(*args, *common, venv_on_path=on_path)
                if proc.returncode not in (0,):
                    print(f"{key} job failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
                    return 1
                runs[key].append(elapsed)
    med = {key: statistics.median(values) for key, values in runs.items()}
    ratio = med["cert"] / med["plain"]
    print(f"{count} tests, {PARALLEL} parallel tasks, median of {rounds} alternating rounds")
    print(
        f"plain Avocado job of trivial tests:          {med['plain']:.2f} s ({med['plain'] / count * 1000:.0f} ms/test)"
    )
    print(f"certification job of the same tests:         {med['cert']:.2f} s")
    print(
        f"certification job of trivial CertTests:      {med['certtest']:.2f} s (a test:///default connection each)"
    )
    print(
        f"overhead ratio cert/plain, venv's bin on PATH: {ratio:.3f} "
        f"(target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})"
    )
    off = med["cert_off_path"] / med["plain_off_path"]
    print(
        f"overhead ratio cert/plain, venv's bin NOT on PATH: {off:.3f} ({med['cert_off_path']:.2f} s vs "
        f"{med['plain_off_path']:.2f} s; target <= {TARGET}: {'met' if off <= TARGET else 'NOT met'})"
    )
    print(f"certification job off PATH / on PATH: {med['cert_off_path'] / med['cert']:.3f}")
    print(f"ratio CertTest/plain: {med['certtest'] / med['plain']:.3f}")
    print(
        f"certification job on Avocado's process spawner: {med['cert_process']:.2f} s, ratio "
        f"{med['cert_process'] / med['plain']:.3f} (the plugins' own cost, without the fork server)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
