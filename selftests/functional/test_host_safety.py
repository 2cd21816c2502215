"""Host safety, proven on a real daemon: a certification run leaves every object it does not own exactly
as it was and nothing of its own behind; a run killed with SIGKILL leaves prefixed objects that the
next run's preflight sweeps, decoys untouched.

The daemon is a private libvirtd (selftests/functional/private_libvirtd.py): a run's preflight sweeps
every acert- object of its daemon, and on a shared host those may be another run's live objects.
AVOCADO_CERT_SAFETY_URI=qemu:///system proves it on the host's own daemon instead (CI, a quiet host).
"""

import os
import signal
import subprocess
import time

import pytest

from avocado_cert.base import paths
from avocado_cert.host import connect, libvirt_errors
from avocado_cert.report import exitcodes
from selftests.conftest import BIN, avocado
from selftests.functional.certrun import AREAS, EXTRA_TESTS, GUEST_TESTS, latest_report, qemu_profile
from selftests.functional.decoys import Decoys, owned_objects
from selftests.functional.private_libvirtd import PrivateLibvirtd, available

ENV_URI = "AVOCADO_CERT_SAFETY_URI"


@pytest.fixture(scope="module")
def target():
    uri = os.environ.get(ENV_URI)
    if uri:
        libvirt_errors.quiet()
        try:
            connect.open_uri(uri).close()
        except Exception as err:  # pylint: disable=broad-except
            pytest.skip(f"{ENV_URI}={uri} does not answer: {err}")
        yield uri
        return
    why = available()
    if why:
        pytest.skip(f"no private libvirtd: {why}")
    daemon = PrivateLibvirtd().start()
    try:
        yield daemon.uri
    finally:
        daemon.stop()


@pytest.fixture(scope="module")
def conn(target):
    connection = connect.open_uri(target)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def decoys(conn, tmp_path_factory):
    made = Decoys(conn, str(tmp_path_factory.mktemp("decoy-pools"))).create()
    try:
        yield made
    finally:
        assert made.remove() == []


def test_run_leaves_every_decoy_as_it_was(target, conn, decoys, tmp_path):
    before = decoys.state()
    # A daemon may hold acert- objects of an earlier run that was killed: the run's preflight sweeps them.
    stale = owned_objects(conn)
    profile = qemu_profile(str(tmp_path / "profile"), target, AREAS, EXTRA_TESTS + GUEST_TESTS, guest=True)
    results = str(tmp_path / "results")
    proc = avocado("run", "--cert-profile", profile, "--job-results-dir", results, timeout=1500)
    report = latest_report(results)
    outcomes = [t["outcome"] for t in report["tests"]]
    assert len(outcomes) > 100 and outcomes.count("PASS") > 80, proc.stdout[-3000:]
    assert "ERROR" not in outcomes and "MISSING" not in outcomes, proc.stdout[-3000:]
    guest_tests = [t for t in report["tests"] if "test_guest_power.py" in t["test"]]
    assert guest_tests and all(t["outcome"] == "PASS" for t in guest_tests), "no guest booted to its shell"

    print(f"{len(outcomes)} tests: " + ", ".join(f"{o} {outcomes.count(o)}" for o in sorted(set(outcomes))))
    for test in report["tests"]:
        if test["outcome"] not in ("PASS", "UNSUPPORTED"):
            print(f"  {test['outcome']} {test['test']}: {(test['reason'] or '')[:160]}")
    after = decoys.state()
    changed = sorted(key for key in before if before[key] != after.get(key))
    assert changed == [], f"decoys changed by the run: {changed}"
    assert owned_objects(conn) == []
    assert report["host_safety"]["problems"] == []
    assert report["host_safety"]["checked"] == [target]
    _assert_swept(stale, report["host_safety"]["swept_before_run"].get(target, []))


def _assert_swept(stale, swept):
    """Every stale acert- object (owned_objects() form) is in the run's sweep, and none failed."""
    for item in stale:
        _kind, name = item.split(" ", 1)
        assert any(name.split("/")[-1] in entry and "failed" not in entry for entry in swept), (item, swept)


def _wait_for_owned(conn, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        found = owned_objects(conn)
        if found:
            return found
        time.sleep(0.1)
    return []


def test_killed_run_is_swept_by_the_next(target, conn, decoys, tmp_path):
    before = decoys.state()
    profile = qemu_profile(str(tmp_path / "profile"), target, areas=["storage", "network"], tests=[])
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    killed = subprocess.Popen(  # pylint: disable=consider-using-with
        [
            os.path.join(BIN, "avocado"),
            "run",
            "--cert-profile",
            profile,
            "--job-results-dir",
            str(tmp_path / "killed"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        left = _wait_for_owned(conn, killed)
        assert left, "the run made no acert- object to leave behind"
        os.killpg(killed.pid, signal.SIGKILL)
    finally:
        if killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=60)
    time.sleep(1)  # test processes of the killed job (own sessions) may still be winding down
    leftovers = owned_objects(conn)
    assert leftovers, "SIGKILL mid-test left nothing: the run cleaned up after all"

    results = str(tmp_path / "next")
    proc = avocado(
        "run",
        "--cert-profile",
        profile,
        "--job-results-dir",
        results,
        os.path.join(paths.suite_dir(), "host", "test_connection.py"),
        timeout=600,
    )
    report = latest_report(results)
    swept = report["host_safety"]["swept_before_run"][target]
    print(f"left by the killed run: {leftovers}; swept by the next: {swept}")
    _assert_swept(leftovers, swept)
    assert owned_objects(conn) == []
    assert report["host_safety"]["problems"] == [], proc.stdout[-2000:]
    assert f"swept {len(swept)} stale object(s)" in proc.stdout + proc.stderr
    after = decoys.state()
    assert sorted(key for key in before if before[key] != after.get(key)) == []
    assert proc.returncode in (exitcodes.CERTIFIED, exitcodes.NOT_CERTIFIED, exitcodes.INCOMPLETE)
