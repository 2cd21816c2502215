"""A lab on one machine, for the selftests, the demo and the benchmark: the catalog on PostgreSQL,
the task queue in the same database, lab hosts registered with `avocado cert lab register` and one
`avocado cert lab worker` process per host, all started by their documented commands."""

import os
import shutil
import signal
import subprocess
import time

from sqlalchemy import create_engine, text

from avocado_cert.base import paths
from avocado_cert.catalog.admin import Admin
from avocado_cert.catalog.app import Settings
from avocado_cert.offline import signing, suitehash
from selftests.conftest import BIN, avocado, write
from selftests.functional import catalog_env

LAB_PROFILE = """
name: {name}
description: a few host tests for the lab's selftests and demo
criteria: "1.0"
tests: [host/test_connection.py]
axes:
  driver:
    {driver}: {{uri: "{uri}", domain_type: {domain_type}}}
  arch:
    {arch}: {{guest_arch: {arch}}}
  transport:
    local: {{}}
params:
  guest: simulated
timeout: 120
parallel: 4
host: none
"""
VENDORS = ("acme", "globex")
PRODUCT = "virt-stack"
FINAL = ("done", "failed", "cancelled")
LAB_VENDOR = "community-lab"  # the vendor entry whose key is the lab's


class Lab:
    """The catalog (a Server of catalog_env), its lab key, hosts and workers."""

    def __init__(self, folder, database, frozen=True):
        self.folder = folder
        # The lab hosts' installed suite: a copy of this checkout's, so edits of the checkout during
        # the run cannot change the suite under a running certification.
        self.home = freeze_suite(os.path.join(folder, "installed")) if frozen else paths.home()
        self.server = catalog_env.Server(os.path.join(folder, "catalog"), database)
        self.database = database
        self.workers = {}
        self.released = False
        self.tokens = {}
        self.key = os.path.join(folder, "lab.key")

    def start(self, profiles=()):
        """Publish this suite and the profiles, make the accounts and the keys, start the catalog.

        The register is set up in-process through the catalog's own operator (Admin): the same code as
        `avocado cert catalog admin`, without a process per step."""
        admin = Admin(Settings(database_url=self.database, storage=self.server.storage))
        admin.init()
        for name, text in profiles:
            path = os.path.join(self.folder, f"{name}.yaml")
            write(path, text)
            admin.publish_profile(path)
        self.tokens["admin"] = admin.create_account("lab-operator", admin=True)
        signing.generate(self.key)
        for vendor in VENDORS:
            admin.create_vendor(vendor, vendor.title())
            self.tokens[vendor] = admin.create_account(f"{vendor}-qe", vendor=vendor)
        # acme also runs offline (its own key); globex is certified by the lab alone (no key of its own).
        signing.generate(os.path.join(self.folder, "acme.key"))
        admin.add_key("acme", os.path.join(self.folder, "acme.key.pub"))
        admin.create_vendor(LAB_VENDOR, "Community lab")
        admin.app.extensions["catalog"].engine.dispose()
        self.server.start()
        proc = avocado(
            "cert", "lab", "add-key", "--server", self.server.url, "--token", self.tokens["admin"],
            "--vendor", LAB_VENDOR, self.key + ".pub",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for vendor in VENDORS:
            status, answer = self.server.request(
                "POST",
                f"/api/v1/vendors/{vendor}/products",
                {"product": PRODUCT, "name": "Virt"},
                self.tokens[vendor],
            )
            assert status == 201, answer
        return self

    def release_this_suite(self):
        """Publish the lab hosts' suite as released."""
        admin = Admin(Settings(database_url=self.database, storage=self.server.storage))
        description, _contents = suitehash.snapshot(os.path.join(self.home, "tests"))
        admin.publish_release(description["version"], description["sha256"])
        admin.app.extensions["catalog"].engine.dispose()

    def register(self, name, uri):
        proc = avocado(
            "cert", "lab", "register", "--server", self.server.url, "--token", self.tokens["admin"], "--name", name,
            "--uri", uri,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def start_worker(self, host):
        log = os.path.join(self.folder, f"worker-{host}.log")
        env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
        env[paths.ENV_HOME] = self.home
        with open(log, "ab") as out:
            self.workers[host] = subprocess.Popen(  # pylint: disable=consider-using-with
                [
                    os.path.join(BIN, "avocado"), "cert", "lab", "worker", "--server", self.server.url,
                    "--token", self.tokens["admin"], "--host", host, "--key", self.key,
                    "--database", self.database, "--workdir", os.path.join(self.folder, f"work-{host}"),
                ],  # fmt: skip
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        return self.workers[host]

    def kill_worker(self, host, sig=signal.SIGKILL):
        """Kill the worker process alone (its certification run goes on, orphaned, as after a crash)."""
        proc = self.workers.pop(host)
        proc.send_signal(sig)
        proc.wait(timeout=60)

    def stop(self):
        for host in list(self.workers):
            proc = self.workers.pop(host)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.server.stop()

    def file(self, vendor, profile, version="1.0", token=None, **requirements):
        if not self.released:
            self.release_this_suite()
            self.released = True
        return self.server.request(
            "POST",
            "/api/v1/lab/requests",
            {"vendor": vendor, "product": PRODUCT, "version": version, "profile": profile,
             "requirements": requirements},  # fmt: skip
            token or self.tokens[vendor],
        )

    def get(self, request_id):
        status, answer = self.server.request(
            "GET", f"/api/v1/lab/requests/{request_id}", token=self.tokens["admin"]
        )
        assert status == 200, answer
        return answer

    def wait(self, ids, timeout, states=FINAL):
        deadline = time.monotonic() + timeout
        while True:
            found = {i: self.get(i) for i in ids}
            if all(req["state"] in states for req in found.values()):
                return found
            if time.monotonic() > deadline:
                logs = {h: self.worker_log(h)[-3000:] for h in self.workers}
                raise AssertionError(f"requests not {states} after {timeout} s: {found}; worker logs: {logs}")
            time.sleep(0.3)

    def origin_modes(self, cert_ids):
        """The origin modes the catalog recorded for these certifications."""
        engine = create_engine(self.database)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT origin_mode FROM certification WHERE id = ANY(:ids)"),
                    {"ids": list(cert_ids)},
                )
                return {row[0] for row in rows}
        finally:
            engine.dispose()

    def worker_log(self, host):
        with open(os.path.join(self.folder, f"worker-{host}.log"), encoding="utf-8", errors="replace") as src:
            return src.read()


def freeze_suite(folder):
    for top in ("cfg", "data", "tests"):
        shutil.copytree(os.path.join(paths.home(), top), os.path.join(folder, top), symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    return folder
