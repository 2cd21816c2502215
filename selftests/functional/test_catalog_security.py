"""The catalog's web security against the real server (`avocado cert catalog serve`, 2 gunicorn
workers, SQLite and PostgreSQL): a copied session cookie after logout, big and streamed anonymous
bodies refused unread, overflowing numbers, bad sign-ins refused past the limit in every worker,
upload errors without server paths, and `serve` refusing nonsense arguments in one line."""

import http.client
import os
import re
import socket
import subprocess
import time
import urllib.parse

import pytest

from selftests.conftest import BIN, avocado
from selftests.functional import catalog_env

BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct horse battery"
MIB = 1 << 20


@pytest.fixture(scope="module")
def postgres():
    bindir = catalog_env.postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql")
    cluster = catalog_env.Postgres(bindir).start()
    yield cluster
    cluster.stop()


def admin(server, *args):
    proc = avocado(
        "cert", "catalog", "admin", *server._db_args(), *args, env={"AVOCADO_CERT_CATALOG_PASSWORD": PASSWORD}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def new_catalog(request, folder):
    """A running catalog: administrator root, vendor acme with its account alice (passwords set),
    a registered key and a product."""
    database = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    server = catalog_env.Server(str(folder / "store"), database)
    server.tokens = {"root": admin(server, "create-admin", "root", "--password")}
    admin(server, "create-vendor", "acme", "ACME")
    server.tokens["alice"] = admin(server, "create-account", "alice", "acme", "--password")
    key = str(folder / "acme.key")
    assert avocado("cert", "keygen", "-o", key).returncode == 0
    admin(server, "add-key", "acme", key + ".pub")
    server.start()
    status, _ = server.request(
        "POST", "/api/v1/vendors/acme/products", {"product": "stack", "name": "Stack"}, server.tokens["alice"]
    )
    assert status == 201
    return server


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(request, tmp_path_factory):
    server = new_catalog(request, tmp_path_factory.mktemp(f"catalog-{request.param}"))
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def fresh_catalog(request, tmp_path):
    """A catalog of its own: the failure counts of one test do not lock the others out."""
    server = new_catalog(request, tmp_path)
    yield server
    server.stop()


class Browser:
    """Cookies and CSRF tokens over http.client, as a browser keeps them."""

    def __init__(self, server, cookie=""):
        self.port = server.port
        self.cookie = cookie

    def call(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        found = re.search(r"catalog_session=([^;]*)", response.getheader("Set-Cookie") or "")
        if found:
            self.cookie = f"catalog_session={found.group(1)}" if found.group(1) else ""
        conn.close()
        return response.status, text

    def csrf(self, path="/login"):
        return re.search(r'name="csrf_token" value="([^"]+)"', self.call("GET", path)[1]).group(1)

    def sign_in(self, username="alice", password=PASSWORD):
        return self.call(
            "POST", "/login", {"username": username, "password": password, "csrf_token": self.csrf()}
        )[0]


def raw(server, head, body=b"", wait=15):
    """(seconds until the status line came, status) of a request written byte for byte."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        start = time.monotonic()
        sock.sendall(head + body)
        status_line = sock.makefile("rb").readline()
        return time.monotonic() - start, int(status_line.split()[1])


def chunked(size):
    piece = b"a" * 65536
    out = []
    for _ in range(size // len(piece)):
        out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
    return b"".join(out) + b"0\r\n\r\n"


def test_a_copied_session_cookie_is_refused_after_logout(catalog):
    owner = Browser(catalog)
    assert owner.sign_in() == 302
    thief = Browser(catalog, owner.cookie)
    assert thief.call("GET", "/account")[0] == 200
    csrf = thief.csrf("/account")
    form = {"vendor": "acme", "product": "stolen", "name": "Stolen", "csrf_token": csrf}
    assert owner.call("POST", "/logout", {"csrf_token": owner.csrf("/account")})[0] == 302
    assert thief.call("GET", "/account")[0] == 401
    assert thief.call("POST", "/account/products", form)[0] in (400, 401)
    assert catalog.request("GET", "/api/v1/products/acme/stolen")[0] == 404
    log = open(os.path.join(catalog.storage, "security.log"), encoding="utf-8").read()
    assert " login " in log and " logout " in log and "actor=alice" in log


@pytest.mark.parametrize("path", ["/api/v1/vendors", "/login"])
def test_a_big_anonymous_body_is_refused_without_being_read(catalog, path):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {250 * MIB}\r\n\r\n"
    ).encode("ascii")
    # Only 100 of the announced 250 MB are sent: an answer proves the body was never read.
    seconds, status = raw(catalog, head, b"{" * 100)
    assert status == 413 and seconds < 5
    authorized = head.replace(
        b"Host: x\r\n", f"Host: x\r\nAuthorization: Bearer {catalog.tokens['root']}\r\n".encode()
    )
    seconds, status = raw(catalog, authorized, b"{" * 100)
    assert status == 413 and seconds < 5
    # A small body announced but not all sent: an API write without a token is refused before reading.
    small = head.replace(path.encode(), b"/api/v1/vendors/acme/products").replace(
        str(250 * MIB).encode(), b"1000"
    )
    seconds, status = raw(catalog, small, b"{" * 100)
    assert status == 401 and seconds < 5


def test_a_streamed_body_over_the_limit_is_refused(catalog):
    head = b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n"
    assert raw(catalog, head, chunked(2 * MIB))[1] == 413
    head = (
        head.replace(b"/login", b"/api/v1/vendors")
        .replace(b"x-www-form-urlencoded", b"json")
        .replace(b"Host: x\r\n", f"Host: x\r\nAuthorization: Bearer {catalog.tokens['root']}\r\n".encode())
    )
    assert raw(catalog, head, chunked(2 * MIB))[1] == 413
    assert raw(catalog, head, b'e\r\n{"vendor": "x"}\r\n0\r\n\r\n'.replace(b"e\r\n", b"f\r\n"))[1] == 400


def test_overflowing_numbers_are_client_errors_without_traceback(catalog):
    huge = "99999999999999999999999"
    for path, status in (
        (f"/?page={huge}", 400),
        (f"/api/v1/catalog?page={huge}", 400),
        (f"/certifications/{huge}", 404),
        (f"/api/v1/certifications/{huge}", 404),
        (f"/certifications/{huge}/bundle.tar.gz", 404),
    ):
        assert catalog.request("GET", path)[0] == status, path
    server_log = open(catalog.log, encoding="utf-8", errors="replace").read()
    assert "Traceback" not in server_log
    log = open(os.path.join(catalog.storage, "security.log"), encoding="utf-8").read().splitlines()
    assert sum(huge[:20] in line or "page must be" in line for line in log) >= 5


def test_upload_errors_name_the_upload_not_a_server_path(catalog, tmp_path):
    for body in (b"\x1f\x8b" + os.urandom(4000), b"not a bundle at all"):
        path = tmp_path / "bad.tar.gz"
        path.write_bytes(body)
        proc = avocado(
            "cert",
            "upload",
            str(path),
            "--server",
            catalog.url,
            "--token",
            catalog.tokens["alice"],
            "--product",
            "stack",
            "--product-version",
            "1.0",
            "--json",
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "the uploaded bundle (sha256" in proc.stdout
        assert catalog.storage not in proc.stdout + proc.stderr and ".part" not in proc.stdout
    log = open(os.path.join(catalog.storage, "security.log"), encoding="utf-8").read()
    assert log.count(" upload-rejected ") >= 2 and "rules=structure" in log


def test_repeated_bad_logins_are_refused_past_the_limit(fresh_catalog):
    browser = Browser(fresh_catalog)
    statuses = [browser.sign_in(password=f"guess number {n}") for n in range(20)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    assert browser.sign_in() == 429  # even the right password, while the limit holds
    status, _ = fresh_catalog.request("GET", "/api/v1/whoami", token="acat_forged")
    assert status == 429  # the same client, now also refused for tokens
    log = open(os.path.join(fresh_catalog.storage, "security.log"), encoding="utf-8").read()
    assert log.count(" login-failed ") == 10 and log.count(" login-refused ") == 11


def serve(*args, timeout=60):
    return avocado("cert", "catalog", "serve", *args, timeout=timeout)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--workers", "0"], "--workers 0"),
        (["--threads", "-1"], "--threads -1"),
        (["--max-upload-mb", "-5"], "--max-upload-mb -5"),
        (["--max-upload-mb", "0"], "--max-upload-mb 0"),
        (["--bind", "127.0.0.1:99999"], "port from 0 to 65535"),
        (["--bind", "localhost"], "expected HOST:PORT"),
        (["--bind", "no-such-host.invalid:8080"], "unknown host"),
        (["--storage", "FILE"], "not a folder"),
        (["--storage", "FILE/sub"], "cannot create the folder"),
    ],
)
def test_serve_refuses_nonsense_in_one_line(tmp_path, args, message):
    afile = tmp_path / "a-file"
    afile.write_text("x")
    args = [str(afile) if a == "FILE" else str(afile / "sub") if a == "FILE/sub" else a for a in args]
    if "--storage" not in args:
        args += ["--storage", str(tmp_path / "store")]
    proc = serve(*args, "--bind", "127.0.0.1:0") if "--bind" not in args else serve(*args)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert message in output and "Traceback" not in output
    assert len([line for line in output.splitlines() if "avocado cert catalog" in line]) == 1


def test_serve_on_port_zero_prints_the_port_bound(tmp_path):
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [
            os.path.join(BIN, "avocado"),
            "cert",
            "catalog",
            "serve",
            "--storage",
            str(tmp_path / "s"),
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", "")),
    )
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "catalog: http" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "serve ended"
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        assert port != 0
        for _attempt in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/api/v1/config")
                assert conn.getresponse().status == 200
                break
            except ConnectionError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"nothing answers on the printed port {port}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("where", ["before", "after"])
def test_admin_takes_storage_before_or_after_its_command(tmp_path, where):
    store = str(tmp_path / "store")
    args = ["--storage", store, "init"] if where == "before" else ["init", "--storage", store]
    proc = avocado("cert", "catalog", "admin", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert os.path.exists(os.path.join(store, "catalog.db"))
    assert "admin-command command=init" in open(os.path.join(store, "security.log"), encoding="utf-8").read()
