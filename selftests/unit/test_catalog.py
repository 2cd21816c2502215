"""The catalog's rules in-process (Flask's test client, SQLite): CSRF, size limits, what is stored of
tokens, passwords and keys, status transitions, escaping, and the cross-catalog analysis."""

import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select, text

from avocado_cert.catalog import analysis, auth, badge, register
from avocado_cert.catalog.app import Settings, create_app
from avocado_cert.catalog.models import ApiResult, Certification, StatusEvent

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(storage=str(tmp_path / "store"), max_upload_bytes=4096))


@pytest.fixture
def db(app):
    with app.extensions["catalog"].sessions() as session:
        yield session


class Admin:
    id = None
    is_admin = True
    vendor_id = None


@pytest.fixture
def vendor(db):
    vend = register.create_vendor(db, Admin(), "acme", "ACME", "qe@acme.example")
    account = register.create_account(db, None, "alice", PASSWORD, vend)
    token = auth.new_token(db, account)
    db.commit()
    return vend, account, token


def public_pem():
    key = ed25519.Ed25519PrivateKey.generate()
    return key, key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_tokens_passwords_and_keys_are_stored_hashed_or_public(app, db, vendor):
    _vend, account, token = vendor
    key, pem = public_pem()
    register.add_key(db, account, vendor[0], pem)
    db.commit()
    dump = "\n".join(
        str(row)
        for table in ("api_token", "account", "vendor_key")
        for row in db.execute(text(f"SELECT * FROM {table}"))
    )
    assert token not in dump and PASSWORD not in dump
    assert auth.hash_token(token) in dump
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(register.Invalid, match="private key"):
        register.add_key(db, account, vendor[0], private)
    assert auth.account_for_token(db, token).username == "alice"
    assert auth.account_for_token(db, token + "x") is None


def test_forms_need_the_csrf_token(app, vendor):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    signed_in = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf})
    assert signed_in.status_code == 302
    # The token is renewed at sign-in: the old one no longer works.
    stale = client.post(
        "/account/products", data={"vendor": "acme", "product": "p", "name": "P", "csrf_token": csrf}
    )
    assert stale.status_code == 400
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/account").get_data(as_text=True)
    ).group(1)
    forged = client.post("/account/products", data={"vendor": "acme", "product": "p", "name": "P"})
    assert forged.status_code == 400
    made = client.post(
        "/account/products", data={"vendor": "acme", "product": "p", "name": "P", "csrf_token": csrf}
    )
    assert made.status_code == 302
    assert client.get("/vendors/acme/products/p").status_code == 200


def test_api_writes_need_a_token_and_ignore_cookies(app, vendor):
    client = app.test_client()
    assert client.post("/api/v1/vendors/acme/products", json={"product": "p", "name": "P"}).status_code == 401
    headers = {"Authorization": f"Bearer {vendor[2]}"}
    assert (
        client.post(
            "/api/v1/vendors/acme/products", json={"product": "p", "name": "P"}, headers=headers
        ).status_code
        == 201
    )
    assert (
        client.post("/api/v1/vendors", json={"vendor": "evil", "name": "E"}, headers=headers).status_code
        == 403
    )


def test_upload_over_the_limit_is_refused_before_reading(app, vendor, tmp_path):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {vendor[2]}", "Content-Type": "application/gzip"}
    made = client.post(
        "/api/v1/vendors/acme/products",
        json={"product": "p", "name": "P"},
        headers={"Authorization": headers["Authorization"]},
    )
    assert made.status_code == 201
    answer = client.post(
        "/api/v1/products/acme/p/versions/1.0/bundles", data=b"\x1f\x8b" + bytes(10000), headers=headers
    )
    assert answer.status_code == 413
    assert not list((tmp_path / "store").glob("tmp/*")) and not list((tmp_path / "store").glob("bundles/*"))


def test_status_moves_forward_only(db, vendor):
    vend, account, _token = vendor
    prod = register.create_product(db, account, vend, "p", "P")
    cert = register.register_certification(db, account, register.add_version(db, account, prod, "1.0"))
    with pytest.raises(register.Conflict):
        register.move(db, cert, "published", account)
    with pytest.raises(auth.Denied):
        register.reject(db, account, cert, "vendors do not reject")
    register.move(db, cert, "submitted", account)
    register.reject(db, Admin(), cert, "withdrawn")
    with pytest.raises(register.Conflict):
        register.move(db, cert, "verified", account)
    statuses = db.scalars(select(StatusEvent.status).where(StatusEvent.certification_id == cert.id)).all()
    assert statuses == ["registered", "submitted", "rejected"]


def test_badge_escapes_its_text():
    svg = badge.render('libvirt <1.0 & "x">', "CERTIFIED")
    assert "<1.0" not in svg and "&lt;1.0 &amp; &quot;x&quot;&gt;" in svg and "#2e7d32" in svg


def _published(db, account, prod, version, verdict, outcomes):
    pver = register.add_version(db, account, prod, version)
    cert = register.register_certification(db, account, pver)
    cert.verdict = verdict
    for status in ("submitted", "verified", "published"):
        register.move(db, cert, status, account)
    for api, result in outcomes.items():
        db.add(
            ApiResult(
                certification_id=cert.id,
                driver="qemu",
                driver_version=version,
                api=api,
                outcome=result,
                tests=1,
            )
        )
    db.flush()
    return cert


def test_analysis_matrix_failing_apis_and_regressions(db, vendor):
    vend, account, _token = vendor
    prod = register.create_product(db, account, vend, "p", "P")
    _published(db, account, prod, "9.0", "CERTIFIED", {"virDomainSuspend": "PASS", "virDomainResume": "PASS"})
    _published(
        db, account, prod, "10.0", "NOT CERTIFIED", {"virDomainSuspend": "FAIL", "virDomainResume": "PASS"}
    )
    _published(
        db, account, prod, "9.10", "CERTIFIED", {"virDomainSuspend": "PASS", "virDomainResume": "UNSUPPORTED"}
    )
    db.commit()
    matrix = analysis.support_matrix(db)["qemu"]
    assert matrix["versions"] == ["9.0", "9.10", "10.0"]
    assert analysis.cell_state(matrix["apis"]["virDomainSuspend"]["10.0"]) == "fail"
    assert analysis.cell_state(matrix["apis"]["virDomainResume"]["9.10"]) == "unsupported"
    assert analysis.failing_apis(db) == [("virDomainSuspend", 1, 3)]
    found = {(r["from"], r["to"]): r for r in analysis.regressions(db)}
    assert found[("9.0", "9.10")]["apis"] == [("qemu", "virDomainResume", "PASS", "UNSUPPORTED")]
    assert found[("9.10", "10.0")]["apis"] == [("qemu", "virDomainSuspend", "PASS", "FAIL")]
    assert found[("9.10", "10.0")]["verdict"] == ["CERTIFIED", "NOT CERTIFIED"]
    assert len(db.scalars(select(Certification)).all()) == 3
