#!/usr/bin/env python3
"""The arch matrix: variants with and without pairwise reduction for the shipped flag axes, the
median boot-to-prompt time of each arch's guest under TCG, and the wall time of the multi-arch profile.

    python benchmarks/arch_matrix.py                     # reduction figures and per-arch boot times
    python benchmarks/arch_matrix.py --job JOB_DIR       # + wall and per-arch test times of a finished job
    python benchmarks/arch_matrix.py --run               # + run `avocado run --cert-profile qemu-all` now

--run is a certification run: its preflight sweeps every acert-* object on the daemon, so run it only
where no other certification work is using the daemon. --boots 0 skips the boot times.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import libvirt  # noqa: E402  pylint: disable=wrong-import-position

from avocado_cert.guest import variant  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.host import libvirt_errors  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.plan import profile, session, variants  # noqa: E402  pylint: disable=wrong-import-position
from benchmarks._common import avocado, median_time  # noqa: E402  pylint: disable=wrong-import-position
from benchmarks.qemu_guest import boot_once  # noqa: E402  pylint: disable=wrong-import-position

MULTI_ARCH = "qemu-all"


def reduction_rows():
    """One row per shipped profile with a combination order: full cross, reduced, coverage, planning time."""
    rows = []
    for name in profile.available():
        prof = profile.load(name)
        if not prof.combination_order:
            continue
        reduced = session.plan(name)
        planning, _samples = median_time(lambda n=name: session.plan(n), runs=5)
        full = session.plan(name, combination_order=0)
        triples = variants.reduced_combinations(prof, 3)
        rows.append(
            {
                "profile": name,
                "axes": " x ".join(f"{axis}({len(values)})" for axis, values in prof.axes.items()),
                "full": len(full.variants),
                "pairwise": len(reduced.variants),
                "pairs": (reduced.reduction[name]["tuples_covered"], reduced.reduction[name]["tuples_total"]),
                "three_wise": len(triples) if triples is not None else len(full.variants),
                "plan_ms": planning * 1000,
            }
        )
    return rows


def boot_medians(boots, uri):
    """Median seconds from resume to the shell prompt, per arch of the multi-arch profile (TCG)."""
    libvirt_errors.quiet()
    conn = libvirt.open(uri)
    out = {}
    try:
        for var in session.plan(MULTI_ARCH).variants:
            params = dict(var.params, uri=uri, domain_type="qemu")
            image = variant.image_for(params)
            params = variant.resolve(params)
            samples = [boot_once(conn, params, image) for _ in range(boots)]
            out[params["guest_arch"]] = (statistics.median(samples), samples)
    finally:
        conn.close()
    return out


def job_times(job_dir):
    """(job wall seconds, {arch column: (tests, summed test seconds, pass count)}) of a finished job."""
    with open(os.path.join(job_dir, "cert", "report.json"), encoding="utf-8") as src:
        report = json.load(src)
    matrix = report.get("arch_matrix") or {}
    columns = matrix.get("columns") or {}
    by_variant = {vid: label for label, col in columns.items() for vid in col["variants"]}
    per_arch = {label: [0, 0.0, 0] for label in columns}
    for test in report["tests"]:
        label = by_variant.get(test["variant"])
        if label is None:
            continue
        per_arch[label][0] += 1
        per_arch[label][1] += max(test.get("time") or 0.0, 0.0)
        per_arch[label][2] += test["outcome"] == "PASS"
    return (
        (report.get("job") or {}).get("elapsed"),
        per_arch,
        len(matrix.get("differences", {}).get("tests", [])),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=3)
    parser.add_argument("--uri", default="qemu:///system")
    parser.add_argument("--job", help="a finished job directory of the multi-arch profile")
    parser.add_argument("--run", action="store_true", help=f"run --cert-profile {MULTI_ARCH} now")
    args = parser.parse_args()

    print("Pairwise reduction of the shipped flag axes:")
    for row in reduction_rows():
        print(
            f"  {row['profile']}: {row['axes']}\n"
            f"    full cross {row['full']} variants, pairwise {row['pairwise']} "
            f"({row['pairwise'] / row['full']:.1%}, {row['full'] / row['pairwise']:.1f}x fewer), "
            f"pairs covered {row['pairs'][0]}/{row['pairs'][1]}; 3-wise would be {row['three_wise']}; "
            f"planning {row['plan_ms']:.0f} ms (median of 5)"
        )
    if args.boots > 0:
        print(f"Boot to the shell prompt under TCG (median of {args.boots}, {args.uri}):")
        for arch, (median, samples) in boot_medians(args.boots, args.uri).items():
            print(f"  {arch:<8} {median:6.2f} s   samples {', '.join(f'{s:.2f}' for s in samples)}")
    job_dir = args.job
    if args.run:
        started = time.perf_counter()
        _elapsed, proc = avocado("run", "--cert-profile", MULTI_ARCH)
        wall = time.perf_counter() - started
        job_dir = next(
            (
                line.split(":", 1)[1].strip()
                for line in proc.stdout.splitlines()
                if line.startswith("JOB LOG")
            ),
            None,
        )
        job_dir = os.path.dirname(job_dir) if job_dir else None
        print(f"avocado run --cert-profile {MULTI_ARCH}: {wall:.1f} s wall, exit {proc.returncode}")
    if job_dir:
        elapsed, per_arch, differing = job_times(job_dir)
        print(
            f"Multi-arch job {job_dir}: {elapsed} s (Avocado's job time), {differing} tests differ between arches"
        )
        for label, (count, seconds, passed) in per_arch.items():
            print(f"  {label:<10} {count:4d} tests, {passed:4d} pass, {seconds:7.1f} s of test time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
