"""Bundle and verify a certification job of 20,000 results; print the medians of several runs.

Usage: python benchmarks/bundle.py [--results N] [--runs R] [--cli]

The job is synthetic but complete: a suite of its own (AVOCADO_CERT_HOME in a temporary folder)
with test files, a profile whose variants multiply them to N results, criteria, results.json,
a log folder per test, and the report the scorer writes. Verification runs every rule (the suite
is listed as released and the criteria are published), so the figures are those of a pass.
With --cli, the `avocado cert bundle` and `avocado cert verify` commands are timed as well
(process start-up included).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TESTS_PER_FILE = 20
VARIANTS = 10

# The synthetic job the selftests use too, made bigger here.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from selftests.offline_job import (  # noqa: E402 pylint: disable=wrong-import-position
    make_home,
    make_job,
    use_home,
    write,
)


def median_time(func, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", action="store_true")
    args = parser.parse_args()
    files = max(1, args.results // (TESTS_PER_FILE * VARIANTS))
    with tempfile.TemporaryDirectory(prefix="acert-bench-") as tmp:
        home = os.path.join(tmp, "home")
        use_home(home)
        make_home(home, files, TESTS_PER_FILE, VARIANTS)
        time.sleep(0.05)  # the job starts after the suite was written, as a real one does
        job_dir = os.path.join(tmp, "job")
        suite_hash, count = make_job(job_dir)
        write(
            os.path.join(tmp, "releases.yaml"), f'releases:\n  - {{version: "0.1.0", sha256: {suite_hash}}}\n'
        )

        from avocado_cert.offline import bundle, signing, suitehash, verify

        key_path = os.path.join(tmp, "key")
        signing.generate(key_path)
        key = signing.load_private(key_path)
        with open(key_path + ".pub", "rb") as src:
            public = src.read()
        output = os.path.join(tmp, "job.tar.gz")
        releases = suitehash.load_releases(os.path.join(tmp, "releases.yaml"))
        bundle_median, bundle_times = median_time(lambda: bundle.build(job_dir, key, output), args.runs)
        result = verify.verify(output, public, releases=releases)
        if not result.ok:
            print("verification failed: " + "; ".join(f"{r.name}: {r.detail}" for r in result.failed))
            return 1
        verify_median, verify_times = median_time(
            lambda: verify.verify(output, public, releases=releases), args.runs
        )
        members = len(bundle.job_files(job_dir))
        size = os.path.getsize(output)
        print(f"job: {count} results, {members} job files, bundle {size / 1e6:.1f} MB")
        print(
            f"bundle: median {bundle_median:.2f} s over {args.runs} runs ({', '.join(f'{t:.2f}' for t in bundle_times)})"
        )
        print(
            f"verify: median {verify_median:.2f} s over {args.runs} runs ({', '.join(f'{t:.2f}' for t in verify_times)})"
        )
        if args.cli:
            avocado = os.path.join(os.path.dirname(sys.executable), "avocado")
            cli_bundle, _t = median_time(
                lambda: subprocess.run(
                    [avocado, "cert", "bundle", job_dir, "--key", key_path, "-o", output],
                    check=True,
                    capture_output=True,
                ),
                args.runs,
            )
            cli_verify, _t = median_time(
                lambda: subprocess.run(
                    [
                        avocado,
                        "cert",
                        "verify",
                        output,
                        "--pubkey",
                        key_path + ".pub",
                        "--releases",
                        os.path.join(tmp, "releases.yaml"),
                    ],
                    check=True,
                    capture_output=True,
                ),
                args.runs,
            )
            print(f"avocado cert bundle (CLI, start-up included): median {cli_bundle:.2f} s")
            print(f"avocado cert verify (CLI, start-up included): median {cli_verify:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
