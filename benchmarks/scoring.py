#!/usr/bin/env python3
"""Scoring and report: a 20,000-result job scored and rendered (report.json + report.html); target < 2 s."""

import datetime
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from avocado_cert.plan import variants  # noqa: E402
from avocado_cert.plan import criteria, session
from avocado_cert.report import jobreport
from avocado_cert.report import writer as report
from benchmarks._common import median_time  # noqa: E402
from benchmarks.variants import big_profile  # noqa: E402

TARGET = 2.0
STATUSES = ["PASS"] * 90 + ["FAIL"] * 4 + ["ERROR"] * 2 + ["CANCEL"] * 4


def entries(count, variant_ids, caps):
    rng = random.Random(42)
    out = []
    for i in range(count):
        status = rng.choice(STATUSES)
        cap = caps[i % len(caps)]
        reason = (
            "UNSUPPORTED: virFoo" if status == "CANCEL" and i % 2 else ("boom" if status != "PASS" else "")
        )
        out.append(
            {
                "id": f"{i + 1}-/suite/tests/{cap.area}/test_x.py:T.test_{i % 400};{variant_ids[i % len(variant_ids)]}",
                "status": status,
                "fail_reason": reason,
                "tags": {"area": [cap.area], "cap": [cap.id], "api": cap.apis[:2]},
                "logdir": f"/tmp/logs/{i}",
                "time_elapsed": 0.05,
            }
        )
    return out


def main():
    crit = criteria.load("1.0")
    prof = big_profile()
    prof.criteria = "1.0"
    all_variants = variants.cross(prof)[:50]
    plan = session.Plan([prof], all_variants, {prof.name: crit}, None, [], 2)
    data = entries(20000, [v.id for v in all_variants], crit.capabilities)
    with tempfile.TemporaryDirectory() as job_dir:

        def run():
            return jobreport.produce(job_dir, plan, "bench", data, today=datetime.date(2026, 11, 27))

        elapsed, samples = median_time(run, runs=5)
        document = run()
        size = os.path.getsize(os.path.join(job_dir, report.CERT_DIR, "report.html"))
    print(f"results: {len(data)}; verdict {document['verdict']}; report.html {size / 1e6:.1f} MB")
    print(
        f"score + report.json + report.html, median of 5: {elapsed:.3f} s "
        f"(min {min(samples):.3f}, max {max(samples):.3f}; target < {TARGET:.1f} s: "
        f"{'met' if elapsed < TARGET else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
