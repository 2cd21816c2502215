"""The lab's task queue: dispatch latency from a request to its run's start with idle workers
(p50/p95, target < 1 s), and the queue's overhead on the wall time of one certification against the
same certification run by hand (avocado run, bundle, upload; target < 5% of the wall).

Usage: python benchmarks/lab.py [--requests N] [--tests FILE,FILE...]

The lab is the selftests' (selftests/functional/lab_env.py): the catalog on a throwaway PostgreSQL
with procrastinate's queue in it, two test-driver lab hosts with a worker each, the lab-mini
profile (one test file). Dispatch latency: from just before the request is POSTed to the moment
the worker's claim starts the run (the request's started_at). Overhead: the median of the lab's
wall (request filed -> request done, certification published) against the median of the same work
without the queue: `avocado run` of the profile, then bundling with the lab's key and uploading done
in-process as the worker does them; runs interleaved so that the machine's load touches both alike.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from avocado_cert.base import paths  # noqa: E402
from avocado_cert.catalog.client import Client  # noqa: E402
from avocado_cert.offline import bundle  # noqa: E402
from avocado_cert.offline import origin as origins  # noqa: E402
from avocado_cert.offline import signing
from benchmarks._common import avocado  # noqa: E402
from selftests.functional import catalog_env, lab_env  # noqa: E402

HOSTS = ("lab-test-1", "lab-test-2")
PROFILE = "lab-mini"


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def by_hand(lab, folder, version):
    """The worker's work without the queue: avocado run of the lab-mini profile, then the bundle
    (the lab's key, origin centralized) and the upload, these two in-process as the worker does them."""
    if os.environ.get(paths.ENV_HOME) != lab.home:  # the lab hosts' installed suite, as the workers see it
        os.environ[paths.ENV_HOME] = lab.home
        paths.home.cache_clear()
    start = time.perf_counter()
    results = tempfile.mkdtemp(dir=folder)
    _t, proc = avocado(
        "run", "--cert-profile", os.path.join(lab.folder, f"{PROFILE}.yaml"), "--job-results-dir", results
    )
    assert proc.returncode in (0, 1, 3), proc.stdout[-2000:]
    job = [os.path.join(results, n) for n in os.listdir(results) if n.startswith("job-")][0]
    out = os.path.join(folder, f"{version}.tar.gz")
    origin = origins.make("acme", lab_env.PRODUCT, version, origins.CENTRALIZED)
    bundle.build(job, signing.load_private(lab.key), out, origin=origin)
    status, answer = Client(lab.server.url, lab.tokens["admin"]).upload(out, "acme", lab_env.PRODUCT, version)
    assert status == 201, answer
    return time.perf_counter() - start


def through_the_lab(lab, version):
    """(dispatch latency, wall) of one request on idle workers."""
    filed = datetime.datetime.now(datetime.timezone.utc)
    start = time.perf_counter()
    status, answer = lab.file("acme", PROFILE, version=version)
    assert status == 201, answer
    while True:
        req = lab.get(answer["id"])
        if req["state"] in lab_env.FINAL:
            break
        time.sleep(0.05)
    wall = time.perf_counter() - start
    assert req["state"] == "done", req
    return (datetime.datetime.fromisoformat(req["started_at"]) - filed).total_seconds(), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="Requests (and runs by hand) measured")
    parser.add_argument(
        "--tests",
        default="host/test_connection.py",
        help="The profile's test files, comma-separated (a longer run shows the queue's fixed cost in proportion)",
    )
    args = parser.parse_args()
    bindir = catalog_env.postgres_bin()
    if bindir is None:
        sys.exit("benchmarks/lab.py: PostgreSQL's server programs are missing: apt-get install postgresql")
    cluster = catalog_env.Postgres(bindir).start()
    folder = tempfile.mkdtemp(prefix="acert-lab-bench-")
    profile = lab_env.LAB_PROFILE.format(
        name=PROFILE, driver="test", uri="test:///default", domain_type="test", arch="i686"
    )
    profile = profile.replace("tests: [host/test_connection.py]", f"tests: [{args.tests}]")
    lab = lab_env.Lab(folder, cluster.new_database())
    try:
        lab.start(profiles=[(PROFILE, profile)])
        for host in HOSTS:
            lab.register(host, "test:///default")
            lab.start_worker(host)
        through_the_lab(lab, "warm-up")
        latencies, lab_walls, hand_walls = [], [], []
        for index in range(args.requests):
            latency, wall = through_the_lab(lab, f"lab.{index}")
            latencies.append(latency)
            lab_walls.append(wall)
            hand_walls.append(by_hand(lab, folder, f"hand.{index}"))
        lab_median, hand_median = statistics.median(lab_walls), statistics.median(hand_walls)
        print(
            f"requests: {args.requests} on {len(HOSTS)} idle workers (profile {PROFILE} of {args.tests}, test driver)"
        )
        print(
            f"dispatch latency (request -> run start): p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
        print(
            f"certification through the lab: median {lab_median:.2f} s (request filed -> certification published)"
        )
        print(
            f"same certification by hand:    median {hand_median:.2f} s (avocado run, then bundle and upload)"
        )
        print(
            f"queue overhead: {lab_median - hand_median:+.2f} s = {(lab_median / hand_median - 1) * 100:+.1f}% of the wall"
        )
    finally:
        lab.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
