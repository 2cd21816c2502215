#!/usr/bin/env python3
"""Where the wall time of a finished certification job on a QEMU daemon goes: per area, the tests'
summed and wall-clock time, the domains its tests defined, how many QEMU processes they started
(booting the guest kernel, only the firmware, or restoring a saved state), how long the kernel-booting
guests ran (TCG guests are what keeps the CPUs busy), and the guest boots watched to the shell with
their times; then the slowest tests.

Reads the job's results.json, the tests' debug.log (domain names, "guest ... booted in N s") and the
daemon's per-domain QEMU logs (start and stop times, command lines).

Usage: benchmarks/qemu_profile.py [JOB_DIR] [--qemu-logs DIR] [--top N]
       (default: ~/avocado/job-results/latest, /var/log/libvirt/qemu)
"""

import argparse
import collections
import datetime
import json
import os
import re
import statistics
import sys

QEMU_LOGS = "/var/log/libvirt/qemu"
DOMAIN_RE = re.compile(r"(?:defining|creating|adopting) domain (acert-\S+)")
BOOTED_RE = re.compile(r"guest (\S+) booted in ([0-9.]+) s")
STAMP_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\+0000: (starting up|shutting down)")


def _stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)


def qemu_runs(path):
    """[(start, end or None, kind)] of one domain's QEMU processes; kind: kernel, firmware or restore."""
    runs = []
    try:
        with open(path, encoding="utf-8", errors="replace") as src:
            lines = src.read().splitlines()
    except OSError:
        return runs
    for i, line in enumerate(lines):
        match = STAMP_RE.match(line)
        if not match:
            continue
        when = _stamp(match.group(1))
        if match.group(2) == "starting up":
            command = "\n".join(lines[i + 1 : i + 80])
            command = command.split("+0000:", 1)[0]
            kind = "restore" if "-incoming" in command else "kernel" if "-kernel" in command else "firmware"
            runs.append([when, None, kind])
        elif runs and runs[-1][1] is None:
            runs[-1][1] = when
    return runs


def area_of(test):
    areas = (test.get("tags") or {}).get("area") or []
    return sorted(areas)[0] if areas else test["id"].split("/tests/")[-1].split("/")[0]


def union_seconds(intervals):
    total, end = 0.0, None
    for start, stop in sorted(intervals):
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def read_test(test, qemu_logs):
    """What one test did: its domains, QEMU starts by kind, kernel-guest run seconds, watched boots."""
    facts = {"domains": set(), "starts": collections.Counter(), "guest_seconds": 0.0, "boots": []}
    log = os.path.join(test.get("logdir") or "", "debug.log")
    try:
        with open(log, encoding="utf-8", errors="replace") as src:
            text = src.read()
    except OSError:
        return facts
    facts["domains"] = set(DOMAIN_RE.findall(text))
    facts["boots"] = [float(seconds) for _name, seconds in BOOTED_RE.findall(text)]
    start = datetime.datetime.fromtimestamp(test["actual_time_start"], datetime.timezone.utc)
    end = datetime.datetime.fromtimestamp(test["actual_time_end"], datetime.timezone.utc)
    for name in facts["domains"]:
        for begun, ended, kind in qemu_runs(os.path.join(qemu_logs, f"{name}.log")):
            # a name is unique to the test, but a log could hold runs of an earlier job (never reused)
            if begun < start - datetime.timedelta(seconds=5) or begun > end + datetime.timedelta(seconds=5):
                continue
            facts["starts"][kind] += 1
            if kind != "firmware":
                facts["guest_seconds"] += ((ended or end) - begun).total_seconds()
    return facts


def profile(job_dir, qemu_logs):
    with open(os.path.join(job_dir, "results.json"), encoding="utf-8") as src:
        results = json.load(src)
    tests = [t for t in results["tests"] if t.get("actual_time_start", -1) > 0]
    areas = collections.defaultdict(lambda: {"tests": [], "facts": []})
    for test in tests:
        entry = areas[area_of(test)]
        entry["tests"].append(test)
        entry["facts"].append(read_test(test, qemu_logs))
    job_wall = max(t["actual_time_end"] for t in tests) - min(t["actual_time_start"] for t in tests)
    return results, tests, areas, job_wall


def print_profile(job_dir, qemu_logs, top):
    _results, tests, areas, job_wall = profile(job_dir, qemu_logs)
    print(
        f"job {os.path.realpath(job_dir)}: {len(tests)} tests, {job_wall:.1f} s from first start to last end"
    )
    header = (
        f"{'area':<12} {'tests':>5} {'sum s':>7} {'wall s':>7} {'doms':>5} {'kernel':>6} {'fw':>4} "
        f"{'restore':>7} {'guest s':>8} {'boots':>5} {'boot med s':>10}"
    )
    print(header)
    print("-" * len(header))
    totals = collections.Counter()
    all_boots = []
    order = sorted(areas, key=lambda a: -sum(t["time_elapsed"] for t in areas[a]["tests"]))
    for area in order:
        entry = areas[area]
        summed = sum(t["time_elapsed"] for t in entry["tests"])
        wall = union_seconds([(t["actual_time_start"], t["actual_time_end"]) for t in entry["tests"]])
        starts = sum((f["starts"] for f in entry["facts"]), collections.Counter())
        doms = sum(len(f["domains"]) for f in entry["facts"])
        guest = sum(f["guest_seconds"] for f in entry["facts"])
        boots = [b for f in entry["facts"] for b in f["boots"]]
        all_boots += boots
        med = f"{statistics.median(boots):.2f}" if boots else "-"
        print(
            f"{area:<12} {len(entry['tests']):>5} {summed:>7.1f} {wall:>7.1f} {doms:>5} {starts['kernel']:>6} "
            f"{starts['firmware']:>4} {starts['restore']:>7} {guest:>8.1f} {len(boots):>5} {med:>10}"
        )
        totals.update(
            tests=len(entry["tests"]), summed=summed, doms=doms, guest=guest, boots=len(boots), **starts
        )
    print("-" * len(header))
    med = f"{statistics.median(all_boots):.2f}" if all_boots else "-"
    print(
        f"{'all':<12} {totals['tests']:>5} {totals['summed']:>7.1f} {job_wall:>7.1f} {totals['doms']:>5} "
        f"{totals['kernel']:>6} {totals['firmware']:>4} {totals['restore']:>7} {totals['guest']:>8.1f} "
        f"{totals['boots']:>5} {med:>10}"
    )
    print(
        "columns: sum s = summed test time; wall s = time any test of the area ran (areas overlap: a "
        "job spreads each file over the run); doms = domains defined; kernel/fw/restore = QEMU starts booting the guest kernel / only firmware / restoring a saved "
        "state; guest s = seconds QEMU ran a kernel-booting or restored guest; boots = boots watched to "
        "the shell (median time from resume to the prompt)"
    )
    print(f"\nslowest {top} tests:")
    for test in sorted(tests, key=lambda t: -t["time_elapsed"])[:top]:
        facts = read_test(test, qemu_logs)
        starts = ", ".join(f"{n} {k}" for k, n in sorted(facts["starts"].items())) or "no QEMU"
        name = test["id"].split("/tests/")[-1]
        print(f"  {test['time_elapsed']:6.1f} s  {test['status']:<6} {name}  [{starts}]")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job", nargs="?", default=os.path.expanduser("~/avocado/job-results/latest"))
    parser.add_argument("--qemu-logs", default=QEMU_LOGS)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    if not os.path.exists(os.path.join(args.job, "results.json")):
        print(f"{args.job}: no results.json (not a finished Avocado job)", file=sys.stderr)
        return 2
    return print_profile(args.job, args.qemu_logs, args.top)


if __name__ == "__main__":
    sys.exit(main())
