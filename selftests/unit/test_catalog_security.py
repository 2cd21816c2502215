"""The catalog's web security in-process (Flask's test client, SQLite): sessions that end on the
server, body limits checked before reading, bounded ids and page numbers, the failure throttle, the
security log, and upload errors that name the upload instead of a server path."""

import datetime
import os
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from flask import g
from sqlalchemy import update

from avocado_cert.catalog import auth, register, security_log, throttle, websession
from avocado_cert.catalog.app import Settings, create_app
from avocado_cert.catalog.models import Certification

PASSWORD = "correct horse battery"
MIB = 1 << 20


class Operator:
    id = None
    is_admin = True
    vendor_id = None


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(storage=str(tmp_path / "store"), max_upload_bytes=64 * 1024))


@pytest.fixture
def accounts(app):
    """acme with its account alice (a token, a key, a product) and the administrator root."""
    with app.extensions["catalog"].sessions() as db:
        vend = register.create_vendor(db, Operator(), "acme", "ACME")
        alice = register.create_account(db, None, "alice", PASSWORD, vend)
        register.create_account(db, None, "root", PASSWORD, admin=True)
        token = auth.new_token(db, alice)
        pem = (
            ed25519.Ed25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        register.add_key(db, alice, vend, pem)
        register.create_product(db, alice, vend, "p", "P")
        db.commit()
    return {"alice": token}


def _csrf(client, path="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def sign_in(app, username="alice", password=PASSWORD, remote="127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": _csrf(client)}
    )
    return client, answer


def cookie(client):
    return client.get_cookie("catalog_session").value


def stolen(app, value):
    """Another browser holding a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("catalog_session", value)
    return thief


def is_signed_in(client):
    return client.get("/account").status_code == 200


def log_lines(app):
    with open(app.extensions["catalog"].settings.resolved_log(), encoding="utf-8") as src:
        return src.read().splitlines()


# --- sessions --------------------------------------------------------------------------------


def test_a_copied_cookie_dies_with_logout(app, accounts):
    client, answer = sign_in(app)
    assert answer.status_code == 302
    copy = cookie(client)
    assert is_signed_in(stolen(app, copy))
    assert client.post("/logout", data={"csrf_token": _csrf(client, "/account")}).status_code == 302
    thief = stolen(app, copy)
    assert not is_signed_in(thief)
    csrf = _csrf(thief)
    made = thief.post(
        "/account/products", data={"vendor": "acme", "product": "q", "name": "Q", "csrf_token": csrf}
    )
    assert made.status_code in (400, 401)
    assert app.test_client().get("/vendors/acme/products/q").status_code == 404


def test_password_change_ends_every_other_session(app, accounts):
    first, _ = sign_in(app)
    second, _ = sign_in(app)
    copy = cookie(first)
    changed = first.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long one",
            "csrf_token": _csrf(first, "/account"),
        },
    )
    assert changed.status_code == 302
    assert is_signed_in(first)  # the browser that changed it got a new session
    assert not is_signed_in(second) and not is_signed_in(stolen(app, copy))
    assert sign_in(app)[1].status_code == 401
    assert sign_in(app, password="another long one")[1].status_code == 302
    wrong = first.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "new_password": "x" * 12,
            "csrf_token": _csrf(first, "/account"),
        },
    )
    assert wrong.status_code == 403


def test_disabling_an_account_ends_its_sessions_and_tokens(app, accounts):
    victim, _ = sign_in(app)
    admin, _ = sign_in(app, "root")
    headers = {"Authorization": f"Bearer {accounts['alice']}"}
    assert app.test_client().get("/api/v1/whoami", headers=headers).status_code == 200
    answer = admin.post(
        "/admin/accounts/disable",
        data={"username": "alice", "disabled": "1", "csrf_token": _csrf(admin, "/account")},
    )
    assert answer.status_code == 302
    assert not is_signed_in(victim)
    assert app.test_client().get("/api/v1/whoami", headers=headers).status_code == 401
    assert sign_in(app)[1].status_code == 401
    assert any(" account-disabled " in line and "actor=root" in line for line in log_lines(app))


def test_sessions_expire_when_idle_and_at_their_lifetime(app, accounts):
    client, _ = sign_in(app)
    table = websession.web_session
    engine = app.extensions["catalog"].engine
    old = websession.now() - datetime.timedelta(hours=3)
    with engine.begin() as conn:
        conn.execute(update(table).values(seen_at=old))
    assert not is_signed_in(client)
    client, _ = sign_in(app)
    with engine.begin() as conn:
        conn.execute(update(table).values(created_at=websession.now() - datetime.timedelta(hours=13)))
    assert not is_signed_in(client)
    with engine.connect() as conn:
        assert not websession.live(conn, 1)


# --- bodies, ids, pages ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/vendors", "/login", "/api/v1/products/acme/p/versions"])
def test_an_announced_big_body_is_refused_before_reading(app, accounts, path):
    client = app.test_client()
    answer = client.post(
        path,
        data=b"{}",
        environ_overrides={"CONTENT_LENGTH": str(250 * MIB)},
        content_type="application/json",
    )
    assert answer.status_code == 413
    assert any(" refused " in line and "status=413" in line for line in log_lines(app))


def test_a_streamed_body_over_the_limit_is_refused(app, accounts):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {accounts['alice']}"}
    body = b'{"product": "' + b"x" * (2 * MIB) + b'"}'
    answer = client.post(
        "/api/v1/vendors/acme/products",
        data=body,
        headers=headers,
        content_type="application/json",
        environ_overrides={"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True},
    )
    assert answer.status_code == 413


def test_only_the_upload_takes_a_large_body_and_only_after_authentication(app, accounts):
    client = app.test_client()
    body = b"\x1f\x8b" + bytes(10 * 1024)  # over nothing: a 10 KiB body is fine for an upload
    anonymous = client.post("/api/v1/products/acme/p/versions/1.0/bundles", data=body)
    assert anonymous.status_code == 401
    headers = {"Authorization": f"Bearer {accounts['alice']}", "Content-Type": "application/gzip"}
    big = client.post(
        "/api/v1/products/acme/p/versions/1.0/bundles",
        data=body,
        headers=headers,
        environ_overrides={"CONTENT_LENGTH": str(2 * MIB)},
    )
    assert big.status_code == 413  # over this catalog's upload limit (64 KiB)
    assert (
        client.post("/api/v1/products/acme/p/versions/1.0/bundles", data=body, headers=headers).status_code
        == 422
    )


@pytest.mark.parametrize(
    "path,status",
    [
        ("/?page=99999999999999999999999", 400),
        ("/?page=-1", 400),
        ("/api/v1/catalog?page=99999999999999999999999", 400),
        ("/api/v1/catalog?per_page=99999999999999999999999", 400),
        ("/certifications/99999999999999999999", 404),
        ("/api/v1/certifications/99999999999999999999", 404),
        ("/certifications/99999999999999999999/bundle.tar.gz", 404),
        ("/lab/requests/99999999999999999999", 404),
        ("/api/v1/lab/requests/99999999999999999999", 404),
    ],
)
def test_overflowing_numbers_are_client_errors_logged_in_one_line(app, path, status):
    answer = app.test_client().get(path)
    assert answer.status_code == status
    assert "Traceback" not in answer.get_data(as_text=True)
    lines = log_lines(app)
    assert len(lines) == 1 and f"status={status}" in lines[0]


def test_upload_errors_name_the_upload_never_a_server_path(app, accounts):
    storage = app.extensions["catalog"].settings.storage
    headers = {"Authorization": f"Bearer {accounts['alice']}", "Content-Type": "application/gzip"}
    for body in (b"\x1f\x8b" + os.urandom(3000), b"not a bundle"):
        answer = app.test_client().post(
            "/api/v1/products/acme/p/versions/1.0/bundles", data=body, headers=headers
        )
        text = answer.get_data(as_text=True)
        assert answer.status_code == 422
        assert storage not in text and ".part" not in text and "/tmp" not in text
        assert "the uploaded bundle (sha256 " in answer.get_json()["error"]
    rejected = [line for line in log_lines(app) if " upload-rejected " in line]
    assert len(rejected) == 2 and all(
        "rules=structure" in line and "actor=alice" in line for line in rejected
    )


# --- failures: refused past the limit, logged ------------------------------------------------


def test_repeated_bad_logins_are_refused_past_the_limit(app, accounts):
    statuses = [sign_in(app, password=f"wrong guess {n}")[1].status_code for n in range(20)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429] * 10
    client, refused = sign_in(app)  # the right password is refused too while locked
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert sum(" login-failed " in line for line in log_lines(app)) == 10
    assert sum(" login-refused " in line for line in log_lines(app)) == 11


def test_the_limit_holds_per_account_across_clients_and_per_client_across_accounts(app, accounts):
    for n in range(10):
        assert sign_in(app, password="wrong", remote=f"10.0.0.{n}")[1].status_code == 401
    assert sign_in(app, remote="10.0.1.1")[1].status_code == 429  # alice, from a new client
    assert sign_in(app, "root", remote="10.0.1.1")[1].status_code == 302  # another account is fine
    for n in range(10):
        assert sign_in(app, f"nobody{n}", "wrong", remote="10.0.2.1")[1].status_code == 401
    assert sign_in(app, "root", remote="10.0.2.1")[1].status_code == 429


def test_rejected_tokens_are_counted_and_refused(app, accounts):
    client = app.test_client()
    for n in range(10):
        assert (
            client.get("/api/v1/whoami", headers={"Authorization": f"Bearer acat_forged{n}"}).status_code
            == 401
        )
    answer = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {accounts['alice']}"})
    assert answer.status_code == 429 and answer.headers["Retry-After"]
    assert sum("invalid or revoked API token" in line for line in log_lines(app)) == 10


def test_throttle_forgets_failures_older_than_its_window(app):
    policy = throttle.Policy(window=datetime.timedelta(seconds=60), per_client=2)
    engine = app.extensions["catalog"].engine
    with engine.begin() as conn:
        throttle.record(conn, policy, "192.0.2.1")
        throttle.record(conn, policy, "192.0.2.1")
        assert throttle.retry_after(conn, policy, "192.0.2.1")[0] > 0
        conn.execute(update(throttle.auth_failure).values(at=throttle.now() - datetime.timedelta(seconds=61)))
        assert throttle.retry_after(conn, policy, "192.0.2.1") == (0, None)
        throttle.record(conn, policy, "192.0.2.1")
        assert throttle.failures(conn, throttle.CLIENT, "192.0.2.1") == 1


def test_log_lines_cannot_be_forged():
    line = security_log.line("login-failed", {"account": "x\n2026 login account=root", "client": "::1"})
    assert "\n" not in line and 'account="x\\n2026 login account=root"' in line and "client=::1" in line


def test_a_number_the_database_cannot_hold_is_a_400_wherever_it_comes_from(tmp_path):
    app = create_app(Settings(storage=str(tmp_path / "store")))

    @app.get("/probe/<int:number>")
    def probe(number):  # a view that forgot to bound its id
        return str(g.db.get(Certification, number))

    answer = app.test_client().get("/probe/" + "9" * 30)
    assert answer.status_code == 400 and "Traceback" not in answer.get_data(as_text=True)
