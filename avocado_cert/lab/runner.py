"""One certification run of a request on a lab host, as a vendor would run it: the profile and
criteria the catalog publishes (fetched and checked by hash), `avocado run --cert-profile`, a bundle
signed by the lab's key with origin "centralized", uploaded through the catalog's verified ingest.

Progress goes to the catalog while the job runs; a run whose request was cancelled (or taken over by
a newer attempt) is stopped. The run's process group is recorded so that the next run on the host
first ends whatever a killed worker left running."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from avocado_cert.base.datafile import sha256_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.catalog.client import Client
from avocado_cert.lab.progress import Progress
from avocado_cert.offline import bundle
from avocado_cert.offline import origin as origins
from avocado_cert.offline import signing, suitehash

CATALOG_WAIT = 300  # seconds a worker waits for a catalog that is restarting
PROGRESS_EVERY = 0.5  # seconds between two progress reports
UNCOMMITTED_WAIT = 10  # seconds a worker waits for a request whose job came first
LOG_TAIL = 200  # lines of the job log sent with a failure
VERDICT_REACHED = (0, 1, 3)  # avocado run's exit: CERTIFIED, NOT CERTIFIED, INCOMPLETE


class Dropped(Exception):
    """The request is no longer this run's (cancelled, finished, or taken over): stop quietly."""


class Catalog:
    """The worker's calls to the catalog, waiting out a catalog restart."""

    def __init__(self, server, token, wait=CATALOG_WAIT):
        self.client = Client(server, token, timeout=120)
        self.wait = wait

    def call(self, method, path, payload=None, ok=(200, 201)):
        deadline = time.monotonic() + self.wait
        while True:
            try:
                return self.client.json(method, path, payload, ok=ok)
            except CertError as details:
                text = str(details)
                if text.startswith(("the catalog answered 409", "the catalog answered 404")):
                    raise Dropped(text) from None
                retry = text.startswith(("cannot reach", "the catalog answered 50"))
                if not retry or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def raw(self, path):
        return self.client.raw(path)


def _results_count(job_dir):
    """How many tests the job's results.json holds, or None where it cannot be read."""
    try:
        with open(os.path.join(job_dir, "results.json"), encoding="utf-8") as src:
            return len(json.load(src)["tests"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Runner:
    """Runs requests for one lab host."""

    def __init__(self, server, token, host, key_path, workdir):
        self.catalog = Catalog(server, token)
        self.server, self.token = server, token
        self.host = host
        self.key = signing.load_private(key_path)
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.marker = os.path.join(self.workdir, "running.json")

    # --- leftovers of a killed run -----------------------------------------------------------
    def sweep(self):
        """End the process group a killed worker's run left behind (the job's own preflight then
        sweeps the libvirt objects it left)."""
        try:
            with open(self.marker, encoding="utf-8") as src:
                pgid = int(json.load(src)["pgid"])
        except (OSError, ValueError, KeyError):
            return
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
        os.unlink(self.marker)

    # --- configuration -----------------------------------------------------------------------
    def fetch_config(self, folder, profile, criteria):
        """(profile path, criteria path or "") as the catalog publishes them, each checked by hash;
        refuses to run a suite whose hash the catalog has not released."""
        document = self.catalog.call("GET", "/api/v1/config")
        released = {entry["sha256"] for entry in document.get("releases", [])}
        description, _contents = suitehash.snapshot()
        if description["sha256"] not in released:
            known = ", ".join(sorted(sha[:16] for sha in released)) or "none"
            raise CertError(
                f"this lab host's suite (sha256 {description['sha256'][:16]}) is not a suite the catalog has "
                f"released (released: {known})"
            )
        entries = [e for e in document.get("profiles", []) if e["name"] == profile]
        if not entries:
            raise CertError(f"the catalog publishes no profile {profile}")
        profile_path = self._fetched(folder, f"{profile}.yaml", entries[-1])
        criteria_path = ""
        if criteria:
            found = [e for e in document.get("criteria", []) if e["version"] == criteria]
            if not found:
                raise CertError(f"the catalog publishes no criteria {criteria}")
            criteria_path = self._fetched(os.path.join(folder, "criteria"), f"{criteria}.yaml", found[0])
        return profile_path, criteria_path

    def _fetched(self, folder, name, entry):
        data = self.catalog.raw(entry["path"])
        if sha256_bytes(data) != entry["sha256"]:
            raise CertError(f"{name}: the file does not match its published sha256")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(path, "wb") as out:
            out.write(data)
        return path

    # --- the run -----------------------------------------------------------------------------
    def certify(self, request_id):
        """Claim the request, run it, submit it; every outcome is reported to the catalog."""
        self.sweep()
        req = self.claim(request_id)
        if req is None:
            return None
        attempt = req["attempt"]
        folder = tempfile.mkdtemp(prefix=f"request-{request_id}-", dir=self.workdir)
        log_path = ""
        try:
            profile, criteria = self.fetch_config(folder, req["profile"], req["criteria"])
            job_dir, log_path = self.run_job(request_id, attempt, folder, profile, criteria)
            cert = self.submit(req, job_dir, folder)
            return self.catalog.call(
                "POST",
                f"/api/v1/lab/requests/{request_id}/finish",
                {"attempt": attempt, "certification": cert},
            )
        except Dropped:
            return None
        except CertError as details:
            return self.catalog.call(
                "POST",
                f"/api/v1/lab/requests/{request_id}/finish",
                {"attempt": attempt, "reason": str(details), "log": _tail(log_path)},
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self.seen()

    def claim(self, request_id):
        """The request, now this run's; None when it is not to be run (finished, cancelled, or never
        committed: its job is deferred before the catalog commits the request, so wait a little)."""
        deadline = time.monotonic() + UNCOMMITTED_WAIT
        while True:
            try:
                return self.catalog.call(
                    "POST", f"/api/v1/lab/requests/{request_id}/claim", {"host": self.host}
                )
            except Dropped as details:
                if "answered 404" not in str(details) or time.monotonic() > deadline:
                    return None
                time.sleep(0.2)

    def seen(self):
        """Tell the catalog this host's worker is alive (the inventory's "last seen")."""
        try:
            self.catalog.call("POST", f"/api/v1/lab/hosts/{self.host}/seen", {})
        except (CertError, Dropped):
            pass

    def run_job(self, request_id, attempt, folder, profile, criteria):
        results = os.path.join(folder, "results")
        command = [_avocado(), "run", "--cert-profile", profile, "--job-results-dir", results]
        if criteria:
            command += ["--cert-criteria", criteria]
        progress, last = Progress(), 0.0
        with subprocess.Popen(  # the job's own process group, to end all of it at once
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            cwd=folder,
            start_new_session=True,
        ) as proc:
            with open(self.marker, "w", encoding="utf-8") as out:
                json.dump({"pgid": proc.pid, "request": request_id, "attempt": attempt}, out)
            try:
                for line in proc.stdout:
                    if progress.feed(line) and time.monotonic() - last > PROGRESS_EVERY:
                        last = time.monotonic()
                        self._report(request_id, attempt, progress)
                status = proc.wait()
            except BaseException:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
            finally:
                if os.path.exists(self.marker):
                    os.unlink(self.marker)
        jobs = [os.path.join(results, n) for n in os.listdir(results)] if os.path.isdir(results) else []
        jobs = [path for path in jobs if os.path.basename(path).startswith("job-")]
        if len(jobs) == 1:
            # The last word is the job's own results: the output lines are for the live view only.
            progress.finished(_results_count(jobs[0]))
        self._report(request_id, attempt, progress)
        if status not in VERDICT_REACHED or len(jobs) != 1:
            raise CertError(f"avocado run ended with status {status} before reaching a verdict") from None
        return jobs[0], progress.job_log

    def _report(self, request_id, attempt, progress):
        self.catalog.call(
            "POST",
            f"/api/v1/lab/requests/{request_id}/progress",
            {"attempt": attempt, "done": progress.done, "total": progress.total, "area": progress.area},
        )

    def submit(self, req, job_dir, folder):
        """Bundle the job signed by the lab's key and upload it; the certification's id."""
        path = os.path.join(folder, "bundle.tar.gz")
        origin = origins.make(req["vendor"], req["product"], req["version"], origins.CENTRALIZED)
        bundle.build(job_dir, self.key, path, origin=origin)
        status, answer = self.catalog.client.upload(path, req["vendor"], req["product"], req["version"])
        if status not in (200, 201):
            raise CertError(f"the catalog refused the bundle ({status}): {answer.get('error', 'no details')}")
        return answer["id"]


def _avocado():
    return os.path.join(os.path.dirname(sys.executable), "avocado")


def _tail(path):
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as src:
            return "".join(src.readlines()[-LOG_TAIL:])
    except OSError:
        return ""
