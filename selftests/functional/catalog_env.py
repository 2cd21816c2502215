"""What the catalog's functional selftests stand on: a real certification job bundled and signed,
a throwaway PostgreSQL server, and the catalog service started by its documented command."""

import glob
import io
import json
import os
import pwd
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

from avocado_cert.base import paths
from avocado_cert.offline import bundle, safetar
from selftests.conftest import BIN, avocado, write

MINI_PROFILE = """
name: catalog-mini
description: a few host and domain tests on libvirt's test driver
criteria: {criteria}
tests: [host/test_connection.py, domain/test_lifecycle.py]
axes:
  driver:
    test: {{uri: "test:///default", domain_type: test}}
  arch:
    i686: {{guest_arch: i686}}
  transport:
    local: {{}}
params:
  guest: simulated
timeout: 120
host: none
"""


class Run:
    """A finished certification job and what the catalog needs to accept its bundles."""

    def __init__(self, folder):
        self.folder = folder
        self.criteria = os.path.join(folder, "criteria", "1.0.yaml")
        self.profile = os.path.join(folder, "catalog-mini.yaml")
        self.job = None
        self.keys = {}
        self.bundles = {}
        self.manifest = None

    def key(self, name):
        if name not in self.keys:
            path = os.path.join(self.folder, f"{name}.key")
            proc = avocado("cert", "keygen", "-o", path)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            self.keys[name] = path
        return self.keys[name]

    def bundle(self, name, key):
        """A bundle of the job signed with the named key (built with `avocado cert bundle`)."""
        if name not in self.bundles:
            out = os.path.join(self.folder, f"{name}.tar.gz")
            proc = avocado("cert", "bundle", self.job, "--key", self.key(key), "-o", out, *origin_flags(key))
            assert proc.returncode == 0, proc.stdout + proc.stderr
            self.bundles[name] = out
        return self.bundles[name]

    def read_manifest(self, path):
        _members, kept = safetar.scan(path, keep=lambda n: n == bundle.MANIFEST)
        return json.loads(kept[bundle.MANIFEST])


def origin_flags(vendor, product="virt-stack", version="1.0"):
    """A bundle signed by a vendor's key is bound to that vendor's product version (the signed origin)."""
    return ("--vendor", vendor, "--product", product, "--product-version", version)


def certification_run(folder):
    """Run the mini profile for real (criteria copied so that edits of the tree cannot race it)."""
    run = Run(folder)
    os.makedirs(os.path.dirname(run.criteria))
    shutil.copyfile(os.path.join(paths.criteria_dir(), "1.0.yaml"), run.criteria)
    write(run.profile, MINI_PROFILE.format(criteria=run.criteria))
    for _attempt in range(2):  # the suite may be edited while the job runs: bundling then refuses
        results = tempfile.mkdtemp(prefix="results-", dir=folder)
        proc = avocado("run", "--cert-profile", run.profile, "--job-results-dir", results, cwd=folder)
        jobs = glob.glob(os.path.join(results, "job-*"))
        assert jobs, proc.stdout + proc.stderr
        run.job = jobs[0]
        run.bundles.clear()
        made = []
        for name, key in (("good", "vendor-a"), ("b-signed", "vendor-b")):
            out = os.path.join(results, f"{name}.tar.gz")
            made.append(
                avocado("cert", "bundle", run.job, "--key", run.key(key), "-o", out, *origin_flags(key))
            )
            run.bundles[name] = out
        if all(proc.returncode == 0 for proc in made):
            run.manifest = run.read_manifest(run.bundles["good"])
            return run
    raise AssertionError("".join(proc.stdout + proc.stderr for proc in made))


def repack(source, dest, change=None, drop=()):
    """Rewrite a bundle's archive with one member's bytes changed or members left out (no re-signing)."""
    _members, kept = safetar.scan(source, keep=lambda n: True)
    with tarfile.open(dest, "w:gz") as out:
        for name, data in kept.items():
            if name in drop:
                continue
            if change and name == change[0]:
                data = change[1](data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, fileobj=io.BytesIO(data))
    return dest


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bin():
    """The folder of PostgreSQL's server programs, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    return os.path.dirname(pg_ctl) if pg_ctl and shutil.which("initdb") else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Postgres:
    """A throwaway cluster on a unix socket in a temporary folder, run by a non-root user."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.folder = tempfile.mkdtemp(prefix="acert-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.user = None
        if os.getuid() == 0:  # postgres refuses to run as root
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            os.chmod(self.folder, 0o700)
        self.databases = 0

    def _run(self, *args):
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--"] + command
        return subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=True, cwd=self.folder
        )

    def start(self):
        self._run(
            os.path.join(self.bindir, "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync"
        )
        options = (
            f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off -c max_connections=200"
        )
        self._run(
            os.path.join(self.bindir, "pg_ctl"),
            "-D",
            self.data,
            "-o",
            options,
            "-w",
            "-l",
            os.path.join(self.folder, "log"),
            "start",
        )
        return self

    def new_database(self):
        self.databases += 1
        name = f"catalog{self.databases}"
        self._run(
            os.path.join(self.bindir, "createdb"),
            "-h",
            self.folder,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )
        return f"postgresql+psycopg://postgres@/{name}?host={self.folder}&port={self.port}"

    def stop(self):
        try:
            self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- the service -----------------------------------------------------------------------------


class Server:
    """`avocado cert catalog serve` on a loopback port, with its admin command at hand."""

    def __init__(self, storage, database="", extra=()):
        self.storage = storage
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra = list(extra)
        self.proc = None
        self.log = os.path.join(storage, "serve.log")

    def _db_args(self):
        args = ["--storage", self.storage]
        return args + (["--database", self.database] if self.database else [])

    def admin(self, *args):
        proc = avocado("cert", "catalog", "admin", *self._db_args(), *args)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout.strip().splitlines()[-1]

    def start(self):
        os.makedirs(self.storage, exist_ok=True)
        env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [
                    os.path.join(BIN, "avocado"),
                    "cert",
                    "catalog",
                    "serve",
                    *self._db_args(),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    *self.extra,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(open(self.log, encoding="utf-8", errors="replace").read())
            try:
                with urllib.request.urlopen(self.url + "/api/v1/config", timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise AssertionError("the catalog did not start: " + open(self.log, encoding="utf-8").read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def request(self, method, path, body=None, token=None, content_type="application/json"):
        """(status, decoded JSON or text) of one HTTP request."""
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as details:
            status, data = details.code, details.read()
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data.decode("utf-8", "replace")


def stored_bundles(storage):
    return sorted(glob.glob(os.path.join(storage, "bundles", "*", "*")))


def leftovers(storage):
    return sorted(glob.glob(os.path.join(storage, "tmp", "*")))
