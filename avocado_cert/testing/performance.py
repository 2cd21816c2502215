"""Timing libvirt calls robustly on a noisy host: warm-up, many samples, medians and 99th percentiles,
and ratios against a reference round trip (virConnectGetVersion) timed in the same run, interleaved
with the operation so that both see the same load."""

import os
import statistics
import time
from dataclasses import dataclass

REFERENCE = "virConnectGetVersion"


@dataclass
class Timing:
    samples: list  # seconds

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def p99(self):
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def time_calls(func, samples, warmup=None):
    """Timing of `samples` calls of func() after a warm-up (a tenth as many, at least 5)."""
    for _ in range(warmup if warmup is not None else max(5, samples // 10)):
        func()
    taken = []
    clock = time.perf_counter
    for _ in range(samples):
        start = clock()
        func()
        taken.append(clock() - start)
    return Timing(taken)


def paired(func, reference, samples, rounds=5):
    """(Timing of func, Timing of reference), measured in alternating rounds under the same load."""
    per_round = max(1, samples // rounds)
    ours, refs = [], []
    time_calls(func, 0, warmup=max(5, per_round // 10))
    time_calls(reference, 0, warmup=max(5, per_round // 10))
    for _ in range(rounds):
        ours.extend(time_calls(func, per_round, warmup=0).samples)
        refs.extend(time_calls(reference, per_round, warmup=0).samples)
    return Timing(ours), Timing(refs)


def time_each(func, count):
    """Timing of count calls of func(index): for steps that change state (define, create...)."""
    taken = []
    clock = time.perf_counter
    for index in range(count):
        start = clock()
        func(index)
        taken.append(clock() - start)
    return Timing(taken)


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def microseconds(seconds):
    return round(seconds * 1e6, 3)


def milliseconds(seconds):
    return round(seconds * 1e3, 3)
