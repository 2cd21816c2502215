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


def path_without_venv():
    """PATH without this virtualenv's bin/ (how cron jobs, CI scripts and service units call its tools)."""
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and os.path.abspath(d) != BIN) or "/usr/bin:/bin"


def avocado(*args, venv_on_path=True):
    path = BIN + os.pathsep + os.environ.get("PATH", "") if venv_on_path else path_without_venv()
    env = dict(os.environ, PATH=path)
    start = time.perf_counter()
    proc = subprocess.run(
        [os.path.join(BIN, "avocado"), *args], env=env, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, proc
