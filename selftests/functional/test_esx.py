"""The esx and vpx profiles end to end: libvirt's ESX driver against govmomi's vSphere simulator,
started by scripts/esx-simulator.sh on ports and in a state folder of the selftest's own, and a
representative part of each profile run in one job. The verdict is reached, and a few outcomes are
what the driver really does: what it implements passes, what it lacks is UNSUPPORTED."""

import os
import subprocess

import pytest
import yaml

from avocado_cert.base import paths
from selftests.conftest import BIN, TOP
from selftests.functional.certrun import latest_report

STATE = "/tmp/acert-esx-selftest"
PORTS = {"esx": "28443", "vpx": "28444"}
TESTS = [
    "host/test_connection.py",
    "domain/test_lifecycle.py",
    "storage/test_pool.py",
]
SCRIPT = os.path.join(TOP, "scripts", "esx-simulator.sh")
ENV = dict(
    os.environ,
    AVOCADO_CERT_STATE=STATE,
    AVOCADO_CERT_ESX_PORT=PORTS["esx"],
    AVOCADO_CERT_VPX_PORT=PORTS["vpx"],
)


def _script(action, timeout=900):
    return subprocess.run(
        ["bash", SCRIPT, action], env=ENV, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def simulator():
    started = _script("start")
    if started.returncode != 0:
        why = (started.stderr or started.stdout).strip().splitlines()[-1:] or ["no output"]
        if "apt-get" in started.stderr or "Unable to locate package" in started.stderr:
            pytest.skip(f"the simulator's packages cannot be installed here: {why[0]}")
        pytest.fail(f"scripts/esx-simulator.sh start failed: {started.stdout}{started.stderr}")
    try:
        yield os.path.join(STATE, "esx")
    finally:
        _script("stop", timeout=60)


def _profile(folder, name, state):
    """The shipped profile pointed at the selftest's simulator, on a part of its suites."""
    with open(os.path.join(paths.profiles_dir(), f"{name}.yaml"), encoding="utf-8") as src:
        document = yaml.safe_load(src)
    document.update(areas=[], tests=list(TESTS), timeout=60)
    for values in document["axes"]["driver"].values():
        uri = values["uri"].replace("/run/avocado-cert/esx", state)
        values["uri"] = uri.replace(":18443/", f":{PORTS['esx']}/").replace(":18444/", f":{PORTS['vpx']}/")
    path = os.path.join(folder, f"{name}.yaml")
    with open(path, "w", encoding="utf-8") as out:
        yaml.safe_dump(document, out, sort_keys=False)
    return path


@pytest.fixture(scope="module")
def esx_job(simulator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("esx")
    spec = ",".join(_profile(str(folder), name, simulator) for name in ("esx", "vpx"))
    results = str(folder / "results")
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run(
        [os.path.join(BIN, "avocado"), "run", "--cert-profile", spec, "--job-results-dir", results],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc, latest_report(results)


def _outcomes(report, profile):
    """{tests/FILE:Class.method: outcome} of one profile (ids may carry a job's index and a full path)."""
    found = {}
    for test in report["tests"]:
        if test["profile"] == profile:
            name = test["id"].split(";")[0]
            found[name[name.index("tests/") :]] = test["outcome"]
    return found


def test_a_verdict_is_reached_against_the_simulator(esx_job):
    proc, report = esx_job
    assert report["verdict"] in ("CERTIFIED", "NOT CERTIFIED", "INCOMPLETE"), proc.stdout[-2000:]
    assert "CERTIFICATION VERDICT" in proc.stdout
    targets = report["environment"]["targets"]
    assert {uri.split(":", 1)[0] for uri in targets} == {"esx", "vpx"}, proc.stdout[-2000:]
    for profile in ("esx", "vpx"):
        outcomes = list(_outcomes(report, profile).values())
        print(f"{profile}: " + ", ".join(f"{o} {outcomes.count(o)}" for o in sorted(set(outcomes))))
        assert "MISSING" not in outcomes, proc.stdout[-2000:]
    assert report["host_safety"]["problems"] == []


def test_outcomes_are_what_the_esx_driver_does(esx_job):
    _proc, report = esx_job
    for profile in ("esx", "vpx"):
        outcomes = _outcomes(report, profile)
        # Implemented by the driver against the vSphere API: connect, identity, the domain lifecycle.
        assert outcomes["tests/host/test_connection.py:Connection.test_identity"] == "PASS"
        assert outcomes["tests/domain/test_lifecycle.py:DomainLifecycle.test_suspend_resume"] == "PASS"
        # Not implemented by the ESX driver (virConnectListAllStoragePools): UNSUPPORTED, never PASS.
        storage = [o for test, o in outcomes.items() if test.startswith("tests/storage/")]
        assert "UNSUPPORTED" in storage and "PASS" not in storage
