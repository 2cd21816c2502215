"""The daemon dies during a certification run: the tests it takes down are ERROR (never FAIL), the
verdict is INCOMPLETE, no test hangs past its timeout; started again, the daemon gives a clean run.

Always on a private libvirtd (selftests/functional/private_libvirtd.py): the host's daemon is never
killed.
"""

import os
import signal
import subprocess
import time

import pytest

from avocado_cert.host import connect
from avocado_cert.report import exitcodes
from selftests.conftest import BIN, avocado
from selftests.functional.certrun import latest_report, qemu_profile
from selftests.functional.decoys import owned_objects
from selftests.functional.private_libvirtd import PrivateLibvirtd, available

ROOT = "/tmp/acert-private-faults"
TIMEOUT = 60
TESTS = [
    "domain/test_lifecycle.py",
    "domain/test_autostart.py",
    "storage/test_pool.py",
    "storage/test_volume.py",
]
AREAS = ["secret"]
# How a test reports a daemon that went away.
LOST = (
    "connection to the daemon was lost",
    "Failed to connect socket",
    "client socket is closed",
    "End of file while reading data",
    "Cannot recv data",
    "Connection reset by peer",
)


@pytest.fixture
def daemon():
    why = available()
    if why:
        pytest.skip(f"no private libvirtd: {why}")
    private = PrivateLibvirtd(ROOT).start()
    try:
        yield private
    finally:
        private.stop()


def _wait_for_owned(uri, proc, timeout=180):
    deadline = time.monotonic() + timeout
    conn = connect.open_uri(uri)
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if owned_objects(conn):
                return True
            time.sleep(0.1)
    finally:
        conn.close()
    return False


def test_daemon_killed_mid_run_then_restarted(daemon, tmp_path):
    profile = qemu_profile(str(tmp_path / "profile"), daemon.uri, areas=AREAS, tests=TESTS, timeout=TIMEOUT)
    results = str(tmp_path / "killed")
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    job = subprocess.Popen(  # pylint: disable=consider-using-with
        [os.path.join(BIN, "avocado"), "run", "--cert-profile", profile, "--job-results-dir", results],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert _wait_for_owned(daemon.uri, job), "no test got as far as creating an object"
        killed_pid = daemon.kill_daemon(signal.SIGKILL)
        killed_at = time.monotonic()
        output, _ = job.communicate(timeout=TIMEOUT * 4)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait(timeout=30)
    after_kill = time.monotonic() - killed_at
    report = latest_report(results)
    tests = report["tests"]
    by_outcome = {o: [t for t in tests if t["outcome"] == o] for o in {t["outcome"] for t in tests}}
    print(
        f"libvirtd {killed_pid} killed; the job ended {after_kill:.1f} s later, exit {job.returncode}: "
        + ", ".join(f"{o} {len(ts)}" for o, ts in sorted(by_outcome.items()))
    )
    assert job.returncode == exitcodes.INCOMPLETE, output[-3000:]
    assert report["verdict"] == "INCOMPLETE"
    assert "CERTIFICATION VERDICT: INCOMPLETE" in output
    errors = by_outcome.get("ERROR", [])
    assert errors, output[-3000:]
    assert any(any(mark in (t["reason"] or "") for mark in LOST) for t in errors), [
        t["reason"] for t in errors
    ]
    assert not by_outcome.get("FAIL"), [(t["test"], t["reason"]) for t in by_outcome["FAIL"]]
    assert all(
        0 <= t["time"] < TIMEOUT for t in tests if t["outcome"] != "MISSING"
    ), "a test ran into its timeout"
    assert after_kill < TIMEOUT * 2
    problems = report["host_safety"]["problems"]
    assert any("could not check the host afterwards" in p for p in problems), problems

    daemon.start_daemon()
    conn = connect.open_uri(daemon.uri)
    try:
        left = owned_objects(conn)
        print(f"left on the daemon by the interrupted run: {left}")
        again = str(tmp_path / "again")
        proc = avocado("run", "--cert-profile", profile, "--job-results-dir", again, timeout=900)
        clean = latest_report(again)
        outcomes = [t["outcome"] for t in clean["tests"]]
        print("rerun: " + ", ".join(f"{o} {outcomes.count(o)}" for o in sorted(set(outcomes))))
        assert not {"ERROR", "FAIL", "MISSING"} & set(outcomes), proc.stdout[-3000:]
        assert clean["host_safety"]["problems"] == []
        swept = clean["host_safety"]["swept_before_run"][daemon.uri]
        assert len(swept) >= len(left) and not [s for s in swept if "failed" in s], swept
        assert owned_objects(conn) == []
    finally:
        conn.close()
