#!/usr/bin/env python3
"""Start-up cost of the certification plugins: `avocado --help` (and other commands that certify
nothing) with avocado-cert's plugins loaded, against the same command with them left out, run
alternately in the same run so that the machine's load hits both alike; medians of N runs each.

"Without" runs Avocado in the same interpreter and virtualenv with every entry point of the
avocado-cert distribution filtered out before Avocado looks for plugins, so the difference is what
the certification plugins add. Target: `avocado --help` at most 50 ms more (the other commands are
shown for comparison: `plugins` loads every plugin's module). Usage: benchmarks/startup.py [N]
"""

import os
import statistics
import subprocess
import sys
import time

TARGET_MS = 50.0
COMMANDS = (("--help",), ("plugins",), ("list", "--help"))
RUN = """
import sys
if {without!r}:
    import pkg_resources
    _iter = pkg_resources.iter_entry_points
    def _without_cert(group, name=None):
        return (ep for ep in _iter(group, name) if ep.dist is None or ep.dist.project_name != "avocado-cert")
    pkg_resources.iter_entry_points = _without_cert
sys.argv = ["avocado"] + {args!r}
from avocado.core.main import main
sys.exit(main())
"""


def once(args, without):
    code = RUN.format(without=without, args=list(args))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"avocado {' '.join(args)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout


def measure(args, runs):
    samples = {False: [], True: []}
    once(args, False)  # warm the page cache and byte-code files for both
    once(args, True)
    for _ in range(runs):
        for without in (False, True):
            samples[without].append(once(args, without)[0])
    return statistics.median(samples[False]), statistics.median(samples[True])


def main(argv):
    runs = int(argv[0]) if argv else 10
    loads = os.getloadavg()
    print(f"avocado start-up with and without avocado-cert's plugins ({runs} runs each, alternated;")
    print(f"load average {loads[0]:.1f} {loads[1]:.1f} {loads[2]:.1f}; {sys.executable})")
    judged = None
    for args in COMMANDS:
        with_cert, without = measure(args, runs)
        added = (with_cert - without) * 1000
        if judged is None:
            judged = added
        print(
            f"  avocado {' '.join(args):<14} with {with_cert * 1000:7.0f} ms   without {without * 1000:7.0f} ms"
            f"   added {added:6.0f} ms   ratio {with_cert / without:.3f}"
        )
    verdict = "met" if judged <= TARGET_MS else "NOT met"
    print(f"avocado --help: {judged:.0f} ms added (target <= {TARGET_MS:.0f} ms): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
