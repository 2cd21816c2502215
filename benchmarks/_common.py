"""Shared bits of the benchmarks: timing with medians, running avocado."""

import os
import statistics
import subprocess
import sys
import time

BIN = os.path.dirname(sys.executable)


def median_time(func, runs=5):
    """Median wall time of func() over runs (after one warm-up call), and all samples."""
    func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def avocado(*args):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    start = time.perf_counter()
    proc = subprocess.run(
        [os.path.join(BIN, "avocado"), *args], env=env, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, proc
