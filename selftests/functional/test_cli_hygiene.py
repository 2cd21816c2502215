"""The command line as a careless or hostile user meets it: paths that cannot be written, a target
that cannot be reached, a fresh home, a machine without virsh, keys and files given the wrong way
round. Each is one line naming the problem, a documented exit status, no traceback, nothing left."""

import http.server
import os
import stat
import threading
import time

import pytest

from avocado_cert.base import paths
from avocado_cert.offline import bundle, origin, safetar, signing
from selftests import offline_job
from selftests.conftest import avocado, write

USAGE = 2  # `avocado run`: usage error
COMMAND_FAILED = 4  # `avocado cert ...`: the command refused (Avocado's AVOCADO_FAIL)

NO_VIRSH = """
from avocado.utils import path as _path

_find = _path.find_command


def _no_virsh(cmd, *args, **kwargs):
    if cmd == "virsh":
        raise _path.CmdNotFoundError(cmd, ["(hidden by the selftest)"])
    return _find(cmd, *args, **kwargs)


_path.find_command = _no_virsh
"""

UNREACHABLE = """
name: unreachable
description: a target nobody listens on
criteria: "1.0"
tests: [host/test_connection.py]
axes:
  driver:
    qemu: {uri: "qemu+tcp://127.0.0.1:1/system", domain_type: qemu}
host: none
"""


def one_line(done, message, status=COMMAND_FAILED):
    text = done.stdout + done.stderr
    assert done.returncode == status, text
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if message in line]
    assert len(lines) == 1, text
    return text


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic certification job, its suite home, a key pair and a bundle of it."""
    folder = tmp_path_factory.mktemp("synthetic")
    home = str(folder / "home")
    saved = os.environ.get(paths.ENV_HOME)
    offline_job.use_home(home)
    try:
        offline_job.make_home(home)
        time.sleep(0.02)
        job_dir = str(folder / "results" / "job-1")
        offline_job.make_job(job_dir)
        os.symlink(job_dir, str(folder / "results" / "latest"))
        key = str(folder / "key")
        signing.generate(key)
        out = str(folder / "b.tar.gz")
        bundle.build(job_dir, signing.load_private(key), out, origin=origin.make("acme", "virt", "1.0"))
    finally:
        if saved is None:
            os.environ.pop(paths.ENV_HOME, None)
        else:
            os.environ[paths.ENV_HOME] = saved
        paths.home.cache_clear()
    return {"home": home, "job": job_dir, "results": str(folder / "results"), "key": key, "bundle": out}


def cert(synthetic, *args):
    return avocado("cert", *args, env={paths.ENV_HOME: synthetic["home"]})


# --- 8: unwritable output paths ------------------------------------------------------------------


@pytest.mark.parametrize("where", ["file", "/proc", "/sys"])
def test_extract_into_an_unwritable_place(synthetic, tmp_path, where):
    a_file = write(tmp_path / "a-file", "x")
    dest = {"file": os.path.join(a_file, "x"), "/proc": "/proc/acert-x", "/sys": "/sys/acert-x"}[where]
    one_line(cert(synthetic, "extract", synthetic["bundle"], "-o", dest), dest)
    assert not os.path.lexists(dest)
    with open(a_file, encoding="utf-8") as src:
        assert src.read() == "x"


def test_bundle_into_an_unwritable_place(synthetic, tmp_path):
    args = ("bundle", synthetic["job"], "--key", synthetic["key"], "--vendor", "acme", "--product", "virt")
    one_line(cert(synthetic, *args, "--product-version", "1", "-o", "/proc/acert.tar.gz"), "/proc")
    assert not os.path.lexists("/proc/acert.tar.gz")
    a_file = write(tmp_path / "a-file", "x")
    one_line(cert(synthetic, *args, "--product-version", "1", "-o", f"{a_file}/b.tar.gz"), a_file)


def test_fetch_config_into_a_file(synthetic, tmp_path):
    a_file = write(tmp_path / "a-file", "x")
    done = cert(synthetic, "fetch-config", "--server", "http://127.0.0.1:1", "-o", os.path.join(a_file, "x"))
    one_line(done, "not a folder")


def test_job_results_dir_naming_a_file(tmp_path):
    a_file = write(tmp_path / "a-file", "x")
    done = avocado("run", "--cert-profile", "test", "--job-results-dir", a_file, "tests/host/")
    one_line(done, "--job-results-dir: not a folder", USAGE)


# --- 9: an unreachable target ----------------------------------------------------------------------


def test_an_unreachable_target_is_a_usage_error_and_no_job(tmp_path):
    profile = write(tmp_path / "unreachable.yaml", UNREACHABLE)
    results = tmp_path / "results"
    done = avocado("run", "--cert-profile", profile, "--job-results-dir", str(results))
    one_line(done, "cannot reach the target qemu+tcp://127.0.0.1:1/system", USAGE)
    assert not list(results.glob("job-*"))


# --- 11: keygen's folder, a fresh home, no virsh ----------------------------------------------------


def test_keygen_creates_its_folder_private(tmp_path):
    key = tmp_path / "home" / ".acert" / "vendor"
    done = avocado("cert", "keygen", "-o", str(key))
    assert done.returncode == 0, done.stdout + done.stderr
    for folder in (key.parent, key.parent.parent):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_a_fresh_home_prints_no_avocado_vt_tracebacks(tmp_path):
    done = avocado("cert", "profiles", env={"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "s")})
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    assert "Bootstrap missing" not in text and "Traceback" not in text, text


def test_no_virsh_warning_on_a_machine_without_virsh(tmp_path):
    site = write(tmp_path / "site" / "sitecustomize.py", NO_VIRSH)
    done = avocado("cert", "profiles", env={"PYTHONPATH": os.path.dirname(site)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Virsh executable" not in done.stdout + done.stderr


# --- 12: clear words -----------------------------------------------------------------------------


def test_a_public_key_given_to_sign_is_named(synthetic, tmp_path):
    out = str(tmp_path / "b.tar.gz")
    done = cert(synthetic, "bundle", synthetic["job"], "--key", synthetic["key"] + ".pub", "-o", out)
    text = one_line(done, "this is a public key: signing needs the private key")
    assert "accessible by others" not in text and not os.path.exists(out)


def test_bundle_never_overwrites_without_force(synthetic, tmp_path):
    out = write(tmp_path / "precious.tar.gz", "precious")
    args = ("bundle", synthetic["job"], "--key", synthetic["key"], "-o", out)
    one_line(cert(synthetic, *args), "already exists (give --force to replace it)")
    with open(out, encoding="utf-8") as src:
        assert src.read() == "precious"
    assert cert(synthetic, *args, "--force").returncode == 0
    _members, kept = safetar.scan(out, keep=lambda name: name == bundle.MANIFEST)
    assert bundle.MANIFEST in kept


def test_bundle_latest_honours_job_results_dir(synthetic, tmp_path):
    out = str(tmp_path / "latest.tar.gz")
    done = cert(
        synthetic,
        "bundle",
        "latest",
        "--job-results-dir",
        synthetic["results"],
        "--key",
        synthetic["key"],
        "-o",
        out,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"job {'b' * 12}" in done.stdout


class _Html(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        body = b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n<body>nginx</body></html>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


def test_fetch_config_from_something_that_is_not_a_catalog(synthetic, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        done = cert(synthetic, "fetch-config", "--server", url, "-o", str(tmp_path / "config"))
    finally:
        server.shutdown()
    text = one_line(done, "did not answer as a certification catalog")
    assert "<html" not in text.lower() and not (tmp_path / "config").exists()


class _Refuses(http.server.BaseHTTPRequestHandler):
    """A catalog that refuses an upload before reading its body (as it does for another vendor's product)."""

    def do_POST(self):  # pylint: disable=invalid-name
        body = b'{"error": "vendor-b may act only on its own vendor"}'
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *_args):
        pass


def test_upload_refused_before_the_body_is_read_says_why(synthetic, tmp_path):
    big = tmp_path / "big.tar.gz"
    big.write_bytes(os.urandom(8 << 20))  # far more than the socket buffers: the server stops reading
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        done = cert(
            synthetic,
            "upload",
            str(big),
            "--server",
            url,
            "--token",
            "t",
            "--vendor",
            "vendor-a",
            "--product",
            "p",
            "--product-version",
            "1",
        )
    finally:
        server.shutdown()
    one_line(done, "the catalog answered 403: vendor-b may act only on its own vendor")
