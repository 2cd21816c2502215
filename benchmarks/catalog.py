"""The catalog service under load: page and JSON API latency with 1,000 stored certifications under
32 concurrent clients, and 32 concurrent uploads of one real run by 32 vendors: published once, the rest
refused, nothing lost or duplicated.

Usage: python benchmarks/catalog.py [--stored N] [--clients C] [--requests R] [--database URL]

A real certification job (the mini profile of the selftests, libvirt's test driver) gives one real
bundle. The N stored certifications are written through the upload pipeline's storage step
(Ingest._store) with that bundle's evidence, varied in product, version, libvirt version and
outcomes so that the analysis has something to find; verification is what the uploads then
measure: 32 bundles of one run signed by 32 vendors' keys for their own products, sent at once (one
is published, 31 refused with 409: a run is published once), then all 32 again (idempotent).
The service runs as documented (`avocado cert catalog serve`, gunicorn) on a loopback port.
Targets: p95 under 100 ms for the pages; every upload accounted for.
"""

import argparse
import copy
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from avocado_cert.catalog import admin as catalog_admin  # noqa: E402
from avocado_cert.catalog import evidence, published, register  # noqa: E402
from avocado_cert.catalog.app import Settings  # noqa: E402

# pylint: disable=wrong-import-position
from avocado_cert.offline import signing  # noqa: E402
from avocado_cert.offline import bundle
from avocado_cert.offline import origin as origins
from selftests.functional import catalog_env  # noqa: E402

PAGES = {
    "catalog page": "/",
    "catalog page 2": "/?page=2",
    "product page": "/vendors/{vendor}/products/{product}",
    "certification page": "/certifications/{cert}",
    "badge": "/badge/{vendor}/{product}/{version}.svg",
    "analysis page": "/analysis",
    "JSON catalog": "/api/v1/catalog",
    "JSON product": "/api/v1/products/{vendor}/{product}",
    "JSON certification": "/api/v1/certifications/{cert}",
}
LIBVIRT_VERSIONS = ("8.0.0", "9.0.0", "10.0.0")
OUTCOMES = ("PASS", "PASS", "PASS", "FAIL", "UNSUPPORTED")


def job_and_bundles(folder, count):
    """A real job and `count` bundles of it, each signed by its own vendor key for its own product
    version (built in-process): the catalog publishes one run once, so exactly one may be taken."""
    run = catalog_env.certification_run(folder)
    for _attempt in range(3):
        try:
            made = []
            for index in range(count):
                path = os.path.join(folder, f"vendor{index}.key")
                if not os.path.exists(path):
                    signing.generate(path)
                out = os.path.join(folder, f"upload{index}.tar.gz")
                origin = origins.make(vendor=f"uploader{index}", product="stack", version="1.0")
                bundle.build(run.job, signing.load_private(path), out, origin=origin)
                made.append((path + signing.PUBLIC_SUFFIX, out))
            return run, made
        except catalog_env.bundle.CertError:
            run = catalog_env.certification_run(tempfile.mkdtemp(dir=folder))
    raise SystemExit("the suite kept changing while the job ran: run the benchmark again")


def seed(settings, run, stored):
    """N published certifications through the storage step of the upload pipeline."""
    adm = catalog_admin.Admin(settings)
    adm.publish_criteria(run.criteria)
    adm.publish_profile(run.profile)
    adm.publish_release(run.manifest["suite"]["version"], run.manifest["suite"]["sha256"])
    good = run.bundles["good"]
    with open(run.key("vendor-a") + ".pub", encoding="ascii") as src:
        pem = src.read()
    with adm.sessions() as session:
        releases, criteria = published.releases(session), published.criteria_hashes(session)
    found = evidence.read(good, pem, releases, criteria)
    service = adm.app.extensions["catalog"]
    rng = random.Random(42)
    vendors = max(stored // 50, 1)
    for index in range(vendors):
        adm.create_vendor(f"seed{index}", f"Seed vendor {index}")
        adm.create_account(f"seed{index}-qe", vendor=f"seed{index}")
    tokens = {}
    for number in range(stored):
        vendor, product = f"seed{number % vendors}", f"product{number % (vendors * 10)}"
        version = f"{1 + number // (vendors * 10)}.0"
        with service.sessions() as session:
            actor = register.account(session, f"{vendor}-qe")
            try:
                register.product(session, vendor, product)
            except register.NotFound:
                register.create_product(
                    session, actor, register.vendor(session, vendor), product, product.title()
                )
                session.commit()
            tokens[vendor] = actor
        varied = copy.deepcopy(found)
        libvirt = LIBVIRT_VERSIONS[number % len(LIBVIRT_VERSIONS)]
        varied.apis = [
            (d, libvirt, api, rng.choice(OUTCOMES) if o == "PASS" else o, n)
            for d, _v, api, o, n in found.apis
        ]
        varied.libvirt_versions = libvirt
        # Each seeded row stands for a run of its own: the catalog publishes one run once.
        varied.job_id = f"seed-run-{number}"
        varied.results_sha256 = f"{number:064x}"
        temp = os.path.join(settings.storage, f"seed-{number}.part")
        shutil.copyfile(good, temp)
        sha = f"{number:064x}"
        service.ingest._store(  # pylint: disable=protected-access
            tokens[vendor],
            _product_id(service, vendor, product),
            version,
            temp,
            sha,
            os.path.getsize(good),
            _FakeKey(),
            varied,
            "[]",
        )
    return adm


class _FakeKey:
    key_id = "0" * 64  # seeded rows: the uploads below are verified for real


def _product_id(service, vendor, product):
    with service.sessions() as session:
        return register.product(session, vendor, product).id


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def load(server, paths, clients, requests):
    """{name: [seconds]} of `requests` GETs spread over the paths by `clients` threads."""
    jobs = [(name, path) for _ in range(requests // len(paths) + 1) for name, path in paths.items()][
        :requests
    ]
    random.Random(7).shuffle(jobs)
    times, errors, lock = {}, [], threading.Lock()

    def fetch(job):
        name, path = job
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(server.url + path, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as details:
            status = details.code
        elapsed = time.perf_counter() - start
        with lock:
            times.setdefault(name, []).append(elapsed)
            if status != 200:
                errors.append((path, status))

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(fetch, jobs))
    return times, errors


def uploads(server, adm, made, clients):
    """Upload every bundle at once, then all again: (new ids, repeated ids, failures, seconds)."""
    tokens = []
    for index, (pub, _path) in enumerate(made):
        adm.create_vendor(f"uploader{index}", f"Uploader {index}")
        tokens.append(adm.create_account(f"uploader{index}-qe", vendor=f"uploader{index}"))
        adm.add_key(f"uploader{index}", pub)
        status, _ = server.request(
            "POST",
            f"/api/v1/vendors/uploader{index}/products",
            {"product": "stack", "name": "Stack"},
            tokens[-1],
        )
        assert status == 201

    def send(index):
        with open(made[index][1], "rb") as src:
            data = src.read()
        start = time.perf_counter()
        url = f"/api/v1/products/uploader{index}/stack/versions/1.0/bundles"
        status, answer = server.request("POST", url, data, tokens[index], "application/gzip")
        return status, answer, time.perf_counter() - start

    results = {}
    for round_name in ("first", "again"):
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results[round_name] = (list(pool.map(send, range(len(made)))), time.perf_counter() - start)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--uploads", type=int, default=32)
    parser.add_argument(
        "--database", default="", help="SQLAlchemy URL (default: SQLite in a temporary folder)"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="acert-catalog-bench-")
    try:
        started = time.perf_counter()
        run, made = job_and_bundles(folder, args.uploads)
        print(f"real job and {len(made)} signed bundles: {time.perf_counter() - started:.1f} s")
        storage = os.path.join(folder, "store")
        settings = Settings(database_url=args.database, storage=storage)
        started = time.perf_counter()
        adm = seed(settings, run, args.stored)
        print(f"{args.stored} certifications stored: {time.perf_counter() - started:.1f} s")
        server = catalog_env.Server(storage, args.database, ["--threads", "8"])
        server.start()
        try:
            _status, listing = server.request("GET", "/api/v1/catalog?per_page=1")
            first = listing["certifications"][0]
            paths = {
                name: path.format(
                    vendor=first["vendor"],
                    product=first["product"],
                    version=first["version"],
                    cert=first["id"],
                )
                for name, path in PAGES.items()
            }
            load(server, paths, args.clients, len(paths) * 2)  # warm-up: caches, connections
            times, errors = load(server, paths, args.clients, args.requests)
            print(
                f"\nlatency with {listing['total']} product versions listed, {args.clients} concurrent clients, "
                f"{args.requests} requests ({'PostgreSQL' if args.database else 'SQLite'}, {args.workers} workers):"
            )
            print(f"  {'':<22}{'n':>6}{'median ms':>12}{'p95 ms':>10}")
            worst = 0.0
            for name in PAGES:
                samples = times.get(name, [])
                p95 = percentile(samples, 0.95) * 1000
                worst = max(worst, p95)
                print(f"  {name:<22}{len(samples):>6}{statistics.median(samples) * 1000:>12.1f}{p95:>10.1f}")
            print(f"  worst p95 {worst:.1f} ms (target < 100 ms); non-200 answers: {len(errors)}")
            results = uploads(server, adm, made, args.clients)
            first_round, first_time = results["first"]
            again_round, again_time = results["again"]
            created = [a["id"] for s, a, _t in first_round if s == 201 and a.get("created")]
            refused = [s for s, _a, _t in first_round if s == 409]
            repeated = [a["id"] for s, a, _t in again_round if s == 200 and a.get("created") is False]
            refused_again = [s for s, _a, _t in again_round if s == 409]
            _status, after = server.request("GET", "/api/v1/catalog?per_page=1")
            stored_files = len(catalog_env.stored_bundles(storage))
            upload_times = [t for _s, _a, t in first_round]
            print(
                f"\n{len(made)} concurrent uploads of one run, each by another vendor: {len(created)} created, "
                f"{len(refused)} refused as already published (409) in {first_time:.1f} s "
                f"(median {statistics.median(upload_times):.2f} s, max {max(upload_times):.2f} s each); "
                f"again: {len(repeated)} answered as already uploaded, {len(refused_again)} refused, "
                f"in {again_time:.1f} s"
            )
            lost = len(made) - len(created) - len(refused)
            duplicated = after["total"] - listing["total"] - len(created)
            same = created == repeated and len(refused_again) == len(refused)
            print(
                f"  catalog {listing['total']} -> {after['total']} product versions; bundle files {stored_files}; "
                f"unaccounted {lost}, duplicated {duplicated}, the one run published once: {len(created) == 1 and same}"
            )
            same = same and len(created) == 1
            ok = not errors and lost == 0 and duplicated == 0 and same and worst < 100
            print("RESULT:", "all targets met" if ok else "TARGET MISSED")
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
