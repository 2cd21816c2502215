"""The catalog service for real, on SQLite and on PostgreSQL: `avocado cert catalog serve` on a
loopback port, a vendor registered with its key, real bundles of a real certification run uploaded
with `avocado cert upload`, and what a second vendor, unsigned or tampered bundles cannot do."""

import json
import os
import shutil
import urllib.error
import urllib.request

import pytest

from avocado_cert.offline import bundle
from selftests.conftest import avocado
from selftests.functional import catalog_env

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return catalog_env.certification_run(str(tmp_path_factory.mktemp("catalog-run")))


@pytest.fixture(scope="module")
def postgres():
    bindir = catalog_env.postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql")
    cluster = catalog_env.Postgres(bindir).start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=BACKENDS)
def catalog(request, run, tmp_path):
    """A running catalog with the run's criteria, profile and suite published, and two vendors."""
    database = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    server = catalog_env.Server(str(tmp_path / "store"), database)
    server.admin("publish-criteria", run.criteria)
    server.admin("publish-profile", run.profile)
    server.admin("publish-release", run.manifest["suite"]["version"], run.manifest["suite"]["sha256"])
    server.tokens = {"admin": server.admin("create-admin", "root")}
    for vendor in ("vendor-a", "vendor-b"):
        server.admin("create-vendor", vendor, f"Vendor <{vendor}> & Co", "--contact", f"qe@{vendor}.example")
        server.tokens[vendor] = server.admin("create-account", f"{vendor}-qe", vendor)
        server.admin("add-key", vendor, run.key(vendor) + ".pub")
    server.start()
    for vendor in ("vendor-a", "vendor-b"):
        status, _ = server.request(
            "POST",
            f"/api/v1/vendors/{vendor}/products",
            {"product": "virt-stack", "name": "Virt <Stack>", "description": "<script>alert('x')</script>"},
            server.tokens[vendor],
        )
        assert status == 201
    yield server
    server.stop()


def upload(server, path, token, product="virt-stack", version="1.0", *more):
    return avocado(
        "cert",
        "upload",
        path,
        "--server",
        server.url,
        "--token",
        token,
        "--product",
        product,
        "--product-version",
        version,
        *more,
    )


def test_upload_publishes_in_catalog_and_api(catalog, run):
    proc = upload(catalog, run.bundle("good", "vendor-a"), catalog.tokens["vendor-a"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "accepted: certification" in proc.stdout
    verdict = run.manifest["job"]["verdict"]

    status, listing = catalog.request("GET", "/api/v1/catalog")
    assert status == 200 and listing["total"] == 1
    entry = listing["certifications"][0]
    assert (entry["vendor"], entry["product"], entry["version"]) == ("vendor-a", "virt-stack", "1.0")
    assert entry["status"] == "published" and entry["verdict"] == verdict
    assert entry["driver"] == "test" and entry["arch"] == "i686"
    assert entry["libvirt_version"] and entry["hypervisor_version"].startswith("TEST ")
    assert entry["criteria_version"] == "1.0"
    assert entry["areas"]["host"]["tests"] > 0 and entry["areas"]["host"]["counts"]

    status, page = catalog.request("GET", "/")
    assert status == 200
    assert "Virt &lt;Stack&gt;" in page and "Vendor &lt;vendor-a&gt; &amp; Co" in page
    assert "<Stack>" not in page and verdict in page
    assert 'class="bar"' in page  # the per-area chart

    status, detail = catalog.request("GET", f"/api/v1/certifications/{entry['id']}")
    assert detail["bundle_sha256"] and all(rule["passed"] for rule in detail["verification"])
    assert [e["status"] for e in detail["events"]] == ["registered", "submitted", "verified", "published"]
    assert any(a["api"] == "virConnectGetLibVersion" and a["outcome"] == "PASS" for a in detail["apis"])

    status, product = catalog.request("GET", "/vendors/vendor-a/products/virt-stack")
    assert status == 200 and "&lt;script&gt;" in product and "<script>" not in product
    status, badge = catalog.request("GET", "/badge/vendor-a/virt-stack/1.0.svg")
    assert status == 200 and verdict in badge

    status, matrix = catalog.request("GET", "/api/v1/analysis/support-matrix")
    assert matrix["test"]["apis"]["virConnectGetLibVersion"]
    status, failing = catalog.request("GET", "/api/v1/analysis/failing-apis")
    assert status == 200 and isinstance(failing, list)

    # The same bundle again: the same certification, nothing added.
    again = upload(
        catalog, run.bundle("good", "vendor-a"), catalog.tokens["vendor-a"], "virt-stack", "1.0", "--json"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    answer = json.loads(again.stdout[again.stdout.index("{") :])
    assert answer["id"] == entry["id"] and answer["created"] is False
    assert catalog.request("GET", "/api/v1/catalog")[1]["total"] == 1
    assert len(catalog_env.stored_bundles(catalog.storage)) == 1
    assert catalog_env.leftovers(catalog.storage) == []

    # The configuration fetched back is byte for byte what the bundle was checked against.
    out = os.path.join(catalog.storage, "..", "fetched")
    fetched = avocado("cert", "fetch-config", "--server", catalog.url, "-o", out)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    with open(os.path.join(out, "criteria", "1.0.yaml"), "rb") as got, open(run.criteria, "rb") as sent:
        assert got.read() == sent.read()
    verified = avocado(
        "cert",
        "verify",
        run.bundle("good", "vendor-a"),
        "--pubkey",
        run.key("vendor-a") + ".pub",
        "--releases",
        os.path.join(out, "releases.yaml"),
        "--criteria-dir",
        os.path.join(out, "criteria"),
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_second_vendor_cannot_touch_first_vendors_product(catalog, run):
    assert upload(catalog, run.bundle("good", "vendor-a"), catalog.tokens["vendor-a"]).returncode == 0
    other = catalog.tokens["vendor-b"]
    # vendor-b's own, validly signed bundle, sent for vendor-a's product.
    proc = upload(
        catalog, run.bundle("b-signed", "vendor-b"), other, "virt-stack", "2.0", "--vendor", "vendor-a"
    )
    assert proc.returncode != 0 and "may act only on its own vendor" in proc.stdout + proc.stderr
    status, _ = catalog.request(
        "PATCH", "/api/v1/products/vendor-a/virt-stack", {"description": "taken over"}, other
    )
    assert status == 403
    assert catalog.request("DELETE", "/api/v1/products/vendor-a/virt-stack", token=other)[0] == 403
    assert (
        catalog.request("POST", "/api/v1/products/vendor-a/virt-stack/versions", {"version": "3.0"}, other)[0]
        == 403
    )
    assert catalog.request("DELETE", "/api/v1/products/vendor-a/virt-stack")[0] == 401
    assert catalog.request("GET", "/api/v1/whoami", token="acat_forged")[0] == 401

    status, product = catalog.request("GET", "/api/v1/products/vendor-a/virt-stack")
    assert status == 200 and product["description"] == "<script>alert('x')</script>"
    assert [v["version"] for v in product["versions"]] == ["1.0"]
    assert len(catalog_env.stored_bundles(catalog.storage)) == 1
    # Its own product does not take it either: the run is vendor-a's certification already (409).
    proc = upload(catalog, run.bundle("b-signed", "vendor-b"), other)
    assert proc.returncode != 0 and "the catalog answered 409" in proc.stderr + proc.stdout
    assert "is already certification" in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    "kind,rule",
    [
        ("unsigned", "signature"),
        ("tampered", "hashes"),
        ("other-key", "signature"),
        ("not-a-bundle", "structure"),
    ],
)
def test_bad_bundle_rejected_with_reason_and_nothing_stored(catalog, run, kind, rule, tmp_path):
    good = run.bundle("good", "vendor-a")
    path = str(tmp_path / f"{kind}.tar.gz")
    if kind == "unsigned":
        catalog_env.repack(good, path, drop=(bundle.SIGNATURE,))
    elif kind == "tampered":
        catalog_env.repack(
            good, path, change=(bundle.RESULTS, lambda data: data.replace(b'"FAIL"', b'"PASS"'))
        )
    elif kind == "other-key":
        shutil.copyfile(run.bundle("b-signed", "vendor-b"), path)
    else:
        with open(path, "wb") as out:
            out.write(b"\x1f\x8b" + os.urandom(4000))
    before = catalog.request("GET", "/api/v1/catalog")[1]
    proc = upload(catalog, path, catalog.tokens["vendor-a"], "virt-stack", "9.9", "--json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    answer = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert answer["stored"] is False and "did not verify" in answer["error"]
    assert rule in [r["name"] for r in answer["rules"]] or rule in answer["error"]
    assert catalog.request("GET", "/api/v1/catalog")[1] == before
    status, product = catalog.request(
        "GET", "/api/v1/products/vendor-a/virt-stack", token=catalog.tokens["vendor-a"]
    )
    assert product["versions"] == []  # not even the version the upload named was registered
    assert catalog_env.stored_bundles(catalog.storage) == []
    assert catalog_env.leftovers(catalog.storage) == []


def test_catalog_page_renders_in_a_browser(catalog, run, browser):
    assert upload(catalog, run.bundle("good", "vendor-a"), catalog.tokens["vendor-a"]).returncode == 0
    browser.get(catalog.url + "/")
    row = browser.find_element("css selector", "tr.entry")
    assert "Virt <Stack>" in row.text and "Vendor <vendor-a> & Co" in row.text
    assert run.manifest["job"]["verdict"] in row.text
    # The chart rendered: its bars have a laid-out size, in the outcome colours of the report.
    bars = browser.execute_script(
        "return Array.from(document.querySelectorAll('tr.entry svg.chart rect.bar')).map(function (r) {"
        " var box = r.getBoundingClientRect();"
        " return [box.width, box.height, getComputedStyle(r).fill]; });"
    )
    assert bars, "no chart bars in the page"
    assert all(width > 0 and height > 0 for width, height, _fill in bars)
    assert "rgb(46, 125, 50)" in {fill for _w, _h, fill in bars}  # PASS green, #2e7d32
    assert not browser.execute_script("return document.querySelector('script')")
    browser.find_element("link text", "Virt <Stack>").click()
    assert "Virt <Stack>" in browser.find_element("css selector", "h1").text
    bars = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.chart rect.bar'))"
        ".filter(function (r) { return r.getBoundingClientRect().width > 0; }).length"
    )
    assert bars > 0


def _get(url, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, answer.headers.get("ETag"), answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("ETag"), answer.read()


def test_conditional_requests_answer_not_modified_until_the_catalog_changes(catalog, run):
    status, etag, body = _get(catalog.url + "/api/v1/catalog")
    assert status == 200 and etag and body
    assert _get(catalog.url + "/api/v1/catalog", etag) == (304, etag, b"")
    assert upload(catalog, run.bundle("good", "vendor-a"), catalog.tokens["vendor-a"]).returncode == 0
    status, newer, body = _get(catalog.url + "/api/v1/catalog", etag)
    assert status == 200 and newer != etag and b"virt-stack" in body
