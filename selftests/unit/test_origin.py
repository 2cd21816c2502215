"""The origin of a result: the vendor, product and version a bundle is signed for, checked by verify
and by the catalog's ingest (in-process, SQLite), including the re-signed-bundle attack."""

import io
import json
import os
import tarfile
import time

import pytest

from avocado_cert.base import paths
from avocado_cert.base.errors import CertError
from avocado_cert.catalog import auth, published, register
from avocado_cert.catalog.app import Settings, create_app
from avocado_cert.offline import bundle, origin, safetar, signing, verify
from selftests import offline_job


class Admin:
    id = None
    is_admin = True
    vendor_id = None


@pytest.fixture
def home(tmp_path):
    saved = os.environ.get(paths.ENV_HOME)
    path = str(tmp_path / "home")
    offline_job.use_home(path)
    offline_job.make_home(path)
    time.sleep(0.02)  # the job starts after its suite was written
    yield path
    if saved is None:
        os.environ.pop(paths.ENV_HOME, None)
    else:
        os.environ[paths.ENV_HOME] = saved
    paths.home.cache_clear()


@pytest.fixture
def job_dir(home, tmp_path):
    path = str(tmp_path / "job")
    offline_job.make_job(path, fail_rate=0)
    return path


def new_key(tmp_path, name):
    path = str(tmp_path / "keys" / name)
    signing.generate(path)
    return signing.load_private(path), path + signing.PUBLIC_SUFFIX


def make_bundle(job_dir, key, out, vendor="acme", product="virt-stack", version="1.0", mode="offline"):
    bound = origin.make(vendor, product, version, mode) if vendor else None
    bundle.build(job_dir, key, out, origin=bound)
    return out


def resign(source, dest, key, change=None):
    """Vendor B's attack: B's own signature over A's manifest (changed by change, if given)."""
    _members, kept = safetar.scan(source, keep=lambda name: True)
    manifest = json.loads(kept[bundle.MANIFEST])
    if change:
        change(manifest)
    raw = (json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    kept[bundle.MANIFEST], kept[bundle.SIGNATURE] = raw, signing.sign(key, raw)
    with tarfile.open(dest, "w:gz") as out:
        for name, data in kept.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, fileobj=io.BytesIO(data))
    return dest


def pubkey(path):
    with open(path, "rb") as src:
        return src.read()


# --- bundle and verify -------------------------------------------------------------------------


def test_the_origin_is_signed_and_verify_checks_the_vendor(job_dir, tmp_path):
    key, pub = new_key(tmp_path, "acme")
    out = make_bundle(job_dir, key, str(tmp_path / "b.tar.gz"))
    result = verify.verify(out, pubkey(pub), vendor="acme")
    assert result.origin == {"vendor": "acme", "product": "virt-stack", "version": "1.0", "mode": "offline"}
    origin_rule = next(rule for rule in result.rules if rule.name == "origin")
    assert origin_rule.passed and "acme/virt-stack 1.0 (offline)" in origin_rule.detail
    other = verify.verify(out, pubkey(pub), vendor="evil")
    assert "signed for vendor acme, not evil" in next(r for r in other.rules if r.name == "origin").detail
    # Another vendor's signature over the same manifest names acme still: not evil's result.
    evil, evil_pub = new_key(tmp_path, "evil")
    stolen = resign(out, str(tmp_path / "stolen.tar.gz"), evil)
    result = verify.verify(stolen, pubkey(evil_pub), vendor="evil")
    assert "origin" in [rule.name for rule in result.failed]


def test_an_unbound_bundle_cannot_claim_a_vendor(job_dir, tmp_path):
    key, pub = new_key(tmp_path, "acme")
    out = make_bundle(job_dir, key, str(tmp_path / "b.tar.gz"), vendor=None)
    result = verify.verify(out, pubkey(pub))
    assert result.origin is None
    assert "not bound to a vendor" in next(r for r in result.rules if r.name == "origin").detail
    assert "origin" in [r.name for r in verify.verify(out, pubkey(pub), vendor="acme").failed]


@pytest.mark.parametrize(
    "values, message",
    [
        (("acme", None, None, None), "give --product, --product-version too"),
        (("ACME!", "p", "1", None), "is not a valid vendor"),
        ((None, None, None, "centralized"), "needs its vendor, product and version"),
    ],
)
def test_an_origin_is_complete_and_well_formed(values, message):
    with pytest.raises(CertError, match=message):
        origin.make(*values)


def test_the_origin_reads_a_config_file(tmp_path):
    path = tmp_path / "origin.yaml"
    path.write_text("vendor: acme\nproduct: virt-stack\nversion: '2.0'\n", encoding="utf-8")
    assert origin.make(config=str(path)) == {
        "vendor": "acme",
        "product": "virt-stack",
        "version": "2.0",
        "mode": "offline",
    }
    assert origin.make(version="2.1", config=str(path))["version"] == "2.1"


# --- the catalog -------------------------------------------------------------------------------


@pytest.fixture
def catalog(home, job_dir, tmp_path):
    app = create_app(Settings(storage=str(tmp_path / "store")))
    service = app.extensions["catalog"]
    keys, tokens = {}, {}
    with service.sessions() as session:
        published.publish_criteria(session, os.path.join(home, "data", "criteria", "1.0.yaml"))
        published.publish_profile(session, os.path.join(home, "cfg", "profiles", "bench.yaml"))
        with open(os.path.join(job_dir, "cert", "report.json"), encoding="utf-8") as src:
            suite = json.load(src)["suite"]
        published.publish_release(session, suite["version"], suite["sha256"])
        for slug in ("acme", "evil"):
            vend = register.create_vendor(session, Admin(), slug, slug.upper())
            account = register.create_account(session, None, f"{slug}-qe", "correct horse battery", vend)
            tokens[slug] = auth.new_token(session, account)
            keys[slug] = new_key(tmp_path, slug)
            register.add_key(session, account, vend, pubkey(keys[slug][1]))
            for product in ("virt-stack", "other"):
                register.create_product(session, account, vend, product, product)
        session.commit()
    return app, keys, tokens


def upload(app, token, path, vendor, product="virt-stack", version="1.0"):
    with open(path, "rb") as src:
        data = src.read()
    answer = app.test_client().post(
        f"/api/v1/products/{vendor}/{product}/versions/{version}/bundles",
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"},
    )
    return answer.status_code, answer.get_json()


def test_a_resigned_bundle_of_another_vendor_is_refused(catalog, job_dir, tmp_path):
    app, keys, tokens = catalog
    good = make_bundle(job_dir, keys["acme"][0], str(tmp_path / "a.tar.gz"))
    status, first = upload(app, tokens["acme"], good, "acme")
    assert status == 201, first
    # Exactly the attack: evil re-signs acme's public bundle with its own registered key.
    stolen = resign(good, str(tmp_path / "stolen.tar.gz"), keys["evil"][0])
    status, answer = upload(app, tokens["evil"], stolen, "evil")
    assert status == 422 and answer["stored"] is False
    assert "signed for vendor acme, not evil" in answer["error"]
    # ... and with the origin rewritten to its own product: the run is acme's already.
    rebound = resign(
        good,
        str(tmp_path / "rebound.tar.gz"),
        keys["evil"][0],
        lambda manifest: manifest["origin"].update(vendor="evil"),
    )
    status, answer = upload(app, tokens["evil"], rebound, "evil")
    assert status == 409, answer
    assert f"already certification {first['id']} of acme/virt-stack 1.0" in answer["error"]
    assert app.test_client().get("/api/v1/catalog").get_json()["total"] == 1


def test_one_run_is_one_certification(catalog, job_dir, tmp_path):
    app, keys, tokens = catalog
    status, first = upload(
        app, tokens["acme"], make_bundle(job_dir, keys["acme"][0], str(tmp_path / "a.tar.gz")), "acme"
    )
    assert status == 201
    again = make_bundle(job_dir, keys["acme"][0], str(tmp_path / "b.tar.gz"), product="other")
    status, answer = upload(app, tokens["acme"], again, "acme", "other")
    assert status == 409 and f"already certification {first['id']}" in answer["error"]
    later = make_bundle(job_dir, keys["acme"][0], str(tmp_path / "c.tar.gz"), version="1.1")
    status, answer = upload(app, tokens["acme"], later, "acme", version="1.1")
    assert status == 409, answer


@pytest.mark.parametrize(
    "bound, target, message",
    [
        (
            {"version": "2.0"},
            ("virt-stack", "1.0"),
            "signed for acme/virt-stack 2.0, not acme/virt-stack 1.0",
        ),
        ({"product": "other"}, ("virt-stack", "1.0"), "signed for acme/other 1.0"),
        ({"vendor": None}, ("virt-stack", "1.0"), "names no vendor"),
        ({"mode": "centralized"}, ("virt-stack", "1.0"), "only when signed by the lab's key"),
    ],
)
def test_the_origin_must_be_the_upload(catalog, job_dir, tmp_path, bound, target, message):
    app, keys, tokens = catalog
    values = {"vendor": "acme", "product": "virt-stack", "version": "1.0", "mode": "offline", **bound}
    out = make_bundle(job_dir, keys["acme"][0], str(tmp_path / "b.tar.gz"), **values)
    status, answer = upload(app, tokens["acme"], out, "acme", *target)
    assert status == 422 and message in answer["error"], answer
    assert [rule["name"] for rule in answer["rules"]] == ["origin"]


def test_a_revoked_key_is_named_revoked(catalog, job_dir, tmp_path):
    app, keys, tokens = catalog
    service = app.extensions["catalog"]
    with service.sessions() as session:
        vend = register.vendor(session, "acme")
        old = signing.key_id(signing.load_private(str(tmp_path / "keys" / "acme")).public_key())
        register.revoke_key(session, Admin(), vend, old)
        register.add_key(session, Admin(), vend, pubkey(new_key(tmp_path, "acme-2")[1]))
        session.commit()
    out = make_bundle(job_dir, keys["acme"][0], str(tmp_path / "b.tar.gz"))
    status, answer = upload(app, tokens["acme"], out, "acme")
    assert status == 422 and f"signed by key {old[:16]} of vendor acme, which was revoked" in answer["error"]
