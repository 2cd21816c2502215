"""Real Avocado-VT jobs on test:///default that hold certification variants: the report and its verdict,
a job that also runs a plain Avocado-VT test, a profile that runs through Avocado-VT, and the command that
reruns one failed variant."""

import json
import os
import shlex
import subprocess
import sys

from avocado_cert.report import exitcodes
from avocado_cert.vt import job as vt
from selftests.conftest import TOP, avocado, write

CONNECTION = "acert.test.test-i686-local.host.Connection"
IDENTITY = f"{CONNECTION}.test_identity"

PLAIN_TEST = """
import libvirt


def run(test, params, env):
    conn = libvirt.open(params["connect_uri"])
    try:
        if conn.getType() != params["expected_driver"]:
            test.fail(f"driver {conn.getType()}, expected {params['expected_driver']}")
    finally:
        conn.close()
"""

# A QE's own Cartesian file: its test, plus the certification variants through one include.
QE_CONFIG = """
variants:
    - plain_probe:
        type = plain_probe
        other_tests_dirs = {tests}
        vm_type = libvirt
        connect_uri = test:///default
        expected_driver = TEST
        start_vm = no
        kill_vm = no
        kill_vm_gracefully = no
        kill_unresponsive_vms = no
        enable_libvirtd_debug_log = no
        store_libvirt_vm_logs = no
        verify_host_dmesg = no
    - acert:
        include {acert}
"""


def _job_dir(results_dir):
    (name,) = [n for n in os.listdir(results_dir) if n.startswith("job-")]
    return os.path.join(results_dir, name)


def _report(job_dir):
    with open(os.path.join(job_dir, "cert", "report.json"), encoding="utf-8") as src:
        return json.load(src)


def _results(job_dir):
    with open(os.path.join(job_dir, "results.json"), encoding="utf-8") as src:
        return {test["name"]: test for test in json.load(src)["tests"]}


def test_vt_job_with_certification_variants_gets_a_verdict_and_reruns_one(tmp_path):
    results_dir = str(tmp_path / "first")
    # The profile certifies a Xen driver: the test driver's real answer (Test) fails test_identity.
    run = avocado(
        "run",
        "--job-results-dir",
        results_dir,
        "--disable-sysinfo",
        "--vt-config",
        vt.suite_config(),
        "--vt-extra-params",
        "cert_expected_type=XEN",
        CONNECTION,
        cwd=str(tmp_path),
    )
    assert "CERTIFICATION VERDICT: NOT CERTIFIED" in run.stdout, run.stdout + run.stderr
    job_dir = _job_dir(results_dir)
    report = _report(job_dir)
    assert report["verdict"] == "NOT CERTIFIED"
    assert "host.connection" in report["score"]["profiles"]["test"]["failed_required"]
    by_test = {t["test"]: t for t in report["tests"]}
    assert set(by_test) == {
        f"{CONNECTION}.{m}" for m in ("test_identity", "test_close", "test_read_only_open")
    }
    failed = by_test[IDENTITY]
    assert (failed["outcome"], failed["variant"], failed["profile"]) == ("FAIL", "test-i686-local", "test")
    assert "XEN" in failed["reason"] and failed["caps"] == ["host.connection"]
    assert all(by_test[name]["outcome"] == "PASS" for name in by_test if name != IDENTITY)
    # What the variants certified is kept beside the report: results.json carries no params.
    with open(os.path.join(job_dir, "cert", vt.TESTS_FILE), encoding="utf-8") as src:
        assert json.load(src)[IDENTITY]["apis"]

    command = shlex.split(failed["rerun"])
    assert command[:2] == ["avocado", "run"] and command[-1] == IDENTITY
    assert "--vt-config" in command and "cert_expected_type=XEN" in command
    rerun_dir = str(tmp_path / "rerun")
    rerun = avocado(*command[1:], "--job-results-dir", rerun_dir, "--disable-sysinfo", cwd=str(tmp_path))
    rerun_job = _job_dir(rerun_dir)
    assert list(_results(rerun_job)) == [IDENTITY], rerun.stdout + rerun.stderr
    (again,) = _report(rerun_job)["tests"]
    assert (again["test"], again["outcome"]) == (IDENTITY, "FAIL")
    assert again["rerun"] == failed["rerun"]


def test_certification_added_to_a_job_with_a_plain_vt_test(tmp_path):
    tests = tmp_path / "qe"
    write(tests / "tests" / "src" / "plain_probe.py", PLAIN_TEST)
    config = write(
        tmp_path / "cfg" / "subtests.cfg",
        QE_CONFIG.format(tests=tests, acert=os.path.join(TOP, "cfg", "vt", "acert.cfg")),
    )
    results_dir = str(tmp_path / "results")
    run = avocado(
        "run",
        "--job-results-dir",
        results_dir,
        "--disable-sysinfo",
        "--vt-config",
        config,
        "--vt-short-names-when-config",
        "plain_probe",
        "acert.test.test-i686-local.host.HostInfo",
        cwd=str(tmp_path),
    )
    job_dir = _job_dir(results_dir)
    statuses = {name: test["status"] for name, test in _results(job_dir).items()}
    assert statuses.pop("plain_probe") == "PASS", run.stdout + run.stderr
    assert len(statuses) == 4 and set(statuses.values()) == {"PASS"}, statuses
    report = _report(job_dir)
    assert report["verdict"] in ("CERTIFIED", "NOT CERTIFIED", "INCOMPLETE")
    assert {t["test"] for t in report["tests"]} == set(statuses)  # the plain test is not scored
    assert report["score"]["profiles"]["test"]["areas"]["host"]["counts"] == {"PASS": 4}
    # A QE job keeps Avocado's exit status; only a --cert-profile run exits with the verdict.
    assert run.returncode == 0


PROFILE = """
name: vt-host
description: the test driver's host area, through Avocado-VT
criteria: "1.0"
runner: vt
areas: [host]
axes:
  driver:
    test: {uri: "test:///default", domain_type: test}
params:
  guest: simulated
timeout: 60
"""


def test_cert_profile_that_runs_through_avocado_vt(tmp_path):
    profile = write(tmp_path / "vt-host.yaml", PROFILE)
    results_dir = str(tmp_path / "results")
    run = avocado(
        "run",
        "--job-results-dir",
        results_dir,
        "--disable-sysinfo",
        "--cert-profile",
        profile,
        "--max-parallel-tasks",
        "1",
        os.path.join(TOP, "tests", "host", "test_connection.py") + ":Connection",
        cwd=str(tmp_path),
    )
    output = run.stdout + run.stderr
    assert "one at a time" not in output  # the user chose it: nothing to explain
    job_dir = _job_dir(results_dir)
    names = set(_results(job_dir))
    assert names == {
        f"acert.vt-host.test.host.{c}"
        for c in ("Connection.test_identity", "Connection.test_close", "Connection.test_read_only_open")
    }, output
    report = _report(job_dir)
    assert {t["outcome"] for t in report["tests"]} == {"PASS"}
    assert report["verdict"] == "INCOMPLETE"  # criteria 1.0 also requires areas this profile leaves out
    assert run.returncode == exitcodes.INCOMPLETE

    refused = avocado("run", "--cert-profile", profile, "--max-parallel-tasks", "2", cwd=str(tmp_path))
    assert refused.returncode == exitcodes.USAGE
    assert "Avocado-VT runs its tests one at a time" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr


def test_test_provider_route_of_an_avocado_vt_installation(tmp_path):
    # A machine of its own (HOME): registration, an offline bootstrap, then a `--vt-type libvirt` job.
    env = {"HOME": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "avocado_cert.vt.provider", "--quiet"], env={**os.environ, **env}, check=True
    )
    boot = avocado(
        "vt-bootstrap",
        "--vt-type",
        "libvirt",
        "--vt-no-downloads",
        "--vt-skip-verify-download-assets",
        "--yes-to-all",
        env=env,
        cwd=str(tmp_path),
    )
    assert boot.returncode == 0, boot.stdout + boot.stderr
    results_dir = str(tmp_path / "results")
    name = "acert.test.test-i686-local.host.HostInfo.test_hostname"
    run = avocado(
        "run",
        "--job-results-dir",
        results_dir,
        "--disable-sysinfo",
        "--vt-type",
        "libvirt",
        name,
        env=env,
        cwd=str(tmp_path),
    )
    job_dir = _job_dir(results_dir)
    assert list(_results(job_dir)) == [f"type_specific.avocado-cert.{name}"], run.stdout + run.stderr
    (test,) = _report(job_dir)["tests"]
    assert (test["outcome"], test["variant"], test["caps"]) == ("PASS", "test-i686-local", ["host.info"])
