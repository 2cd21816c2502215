"""Real `avocado run --cert-profile` jobs: the report, a NOT CERTIFIED verdict, the rerun command."""

import glob
import json
import os
import shlex

import pytest

from avocado_cert.report import exitcodes
from selftests.conftest import avocado, write

FAILING_TEST = '''
import libvirt

from avocado_cert.testing import CertTest


class StateErrors(CertTest):
    """
    :avocado: tags=area:domain,cap:selftest.state_errors
    """

    def test_suspend_inactive(self):
        """
        :avocado: tags=api:virDomainSuspend
        """
        dom = self.define_domain()
        # The test driver answers VIR_ERR_INTERNAL_ERROR here, where QEMU answers OPERATION_INVALID.
        self.expect_error(libvirt.VIR_ERR_OPERATION_INVALID, dom.suspend)

    def test_define(self):
        """
        :avocado: tags=api:virDomainDefineXML,cap:selftest.define
        """
        dom = self.define_domain()
        self.assertEqual(dom.isPersistent(), 1)
'''

CRITERIA = """
version: "1.0"
released: 2026-11-27
capabilities:
  - {id: selftest.state_errors, area: domain, title: state errors, status: required, since: "1.0"}
  - {id: selftest.define, area: domain, title: define, status: required, since: "1.0"}
"""

PROFILE = """
name: failing
description: a required capability the test driver fails
criteria: {criteria}
tests: [{test}]
axes:
  driver:
    test: {{uri: "test:///default", domain_type: test}}
  flavour:
    one: {{}}
    two: {{}}
params:
  guest_arch: i686
"""


def latest_job(results_dir):
    jobs = sorted(glob.glob(os.path.join(results_dir, "job-*")), key=os.path.getmtime)
    assert jobs, "no job directory"
    return jobs[-1]


def load_report(job_dir):
    with open(os.path.join(job_dir, "cert", "report.json"), encoding="utf-8") as src:
        return json.load(src)


@pytest.fixture(scope="module")
def test_profile_job(tmp_path_factory):
    results = str(tmp_path_factory.mktemp("results"))
    proc = avocado("run", "--cert-profile", "test", "--job-results-dir", results)
    return proc, latest_job(results)


def test_test_profile_report(test_profile_job):
    proc, job_dir = test_profile_job
    report = load_report(job_dir)
    assert "CERTIFICATION VERDICT: " + report["verdict"] in proc.stdout
    assert os.path.join(job_dir, "cert", "report.html") in proc.stdout
    assert proc.returncode == exitcodes.from_verdict(report["verdict"]), proc.stdout + proc.stderr
    assert report["profiles"]["test"]["criteria"] == "1.1"
    prof = report["score"]["profiles"]["test"]
    assert prof["criteria"]["sha256"] and len(prof["criteria"]["sha256"]) == 64
    assert {"host", "domain"} <= set(prof["areas"])
    env = report["environment"]["targets"]["test:///default"]
    assert env["driver"] == "TEST" and env["libvirt_library_version"].count(".") == 2
    assert "<capabilities>" in env["capabilities_xml"]
    assert report["host_safety"]["problems"] == []
    with open(os.path.join(job_dir, "results.json"), encoding="utf-8") as src:
        assert len(json.load(src)["tests"]) == len(report["tests"])
    assert all(t["variant"] == "test-i686-local" for t in report["tests"])
    with open(os.path.join(job_dir, "cert", "report.html"), encoding="utf-8") as src:
        html = src.read()
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_outcomes_are_never_mislabelled(test_profile_job):
    _proc, job_dir = test_profile_job
    for test in load_report(job_dir)["tests"]:
        if test["status"] == "PASS":
            assert test["outcome"] == "PASS"
        if test["outcome"] == "UNSUPPORTED":
            assert test["status"] == "CANCEL" and test["reason"].startswith("UNSUPPORTED: ")


def test_second_run_gives_the_same_outcomes(test_profile_job, tmp_path):
    """Run again, the test profile gives every test the same outcome: no leftovers, no order effects."""
    _proc, job_dir = test_profile_job
    results = str(tmp_path / "again")
    avocado("run", "--cert-profile", "test", "--job-results-dir", results)

    def outcomes(report):
        return {(t["test"], t["variant"]): t["outcome"] for t in report["tests"]}

    first, second = outcomes(load_report(job_dir)), outcomes(load_report(latest_job(results)))
    assert len(first) > 400
    assert {
        key: (first.get(key), second.get(key))
        for key in first.keys() | second.keys()
        if first.get(key) != second.get(key)
    } == {}


def test_not_certified_and_rerun_of_one_variant(tmp_path):
    test_file = write(tmp_path / "suite" / "test_failing.py", FAILING_TEST)
    criteria_file = write(tmp_path / "criteria" / "1.0.yaml", CRITERIA)
    profile_file = write(tmp_path / "failing.yaml", PROFILE.format(criteria=criteria_file, test=test_file))
    results = str(tmp_path / "results")
    proc = avocado("run", "--cert-profile", profile_file, "--job-results-dir", results)
    assert proc.returncode == exitcodes.NOT_CERTIFIED, proc.stdout + proc.stderr
    assert "CERTIFICATION VERDICT: NOT CERTIFIED" in proc.stdout
    assert "Failed required capabilities: selftest.state_errors" in proc.stdout
    report = load_report(latest_job(results))
    failed = [t for t in report["tests"] if t["outcome"] == "FAIL"]
    assert {t["variant"] for t in failed} == {"test-one", "test-two"}
    assert all("VIR_ERR_INTERNAL_ERROR" in t["reason"] for t in failed)
    rerun = next(t["rerun"] for t in failed if t["variant"] == "test-two")
    assert rerun in proc.stdout

    args = shlex.split(rerun)
    assert args[:2] == ["avocado", "run"]
    again = avocado(*args[1:], "--job-results-dir", str(tmp_path / "rerun"))
    rerun_report = load_report(latest_job(str(tmp_path / "rerun")))
    assert [(t["test"], t["variant"], t["outcome"]) for t in rerun_report["tests"]] == [
        (failed[0]["test"], "test-two", "FAIL")
    ]
    assert again.returncode == exitcodes.NOT_CERTIFIED


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cert-profile", "no-such"], "unknown profile 'no-such' (available: "),
        (["--cert-profile", "test", "--cert-variant", "nope"], "unknown variant 'nope'"),
        (["--cert-profile", "test", "--cert-criteria", "0.1"], "unknown criteria version '0.1'"),
    ],
)
def test_bad_input_is_one_line(args, message, tmp_path):
    proc = avocado("run", *args, "--job-results-dir", str(tmp_path))
    assert proc.returncode == exitcodes.USAGE
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len([line for line in proc.stderr.splitlines() if "avocado-cert" in line]) == 1
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize(
    "body, message",
    [
        ("name: [broken\n", "malformed YAML"),
        (
            "name: bad\ndescription: x\ncriteria: '1.0'\nareas: [host]\naxes: {driver: {t: {}}}\nextra: 1\n",
            "unknown key 'extra'",
        ),
        (
            "name: bad\ndescription: x\ncriteria: 1.0\nareas: host\naxes: {driver: {t: {}}}\n",
            "expected a list",
        ),
    ],
)
def test_bad_profile_file(tmp_path, body, message):
    path = write(tmp_path / "bad.yaml", body)
    proc = avocado("list", "--cert-profile", path)
    assert proc.returncode == exitcodes.USAGE
    assert message in proc.stderr and path in proc.stderr
    assert "Traceback" not in proc.stderr


def test_list_and_profiles_commands():
    listed = avocado("list", "--cert-profile", "test")
    assert listed.returncode == 0
    assert "tests/domain/test_lifecycle.py:DomainLifecycle.test_suspend_resume" in listed.stdout
    profiles = avocado("cert", "profiles")
    assert profiles.returncode == 0
    listed = [line.split()[0] for line in profiles.stdout.splitlines() if line.strip()]
    assert listed == sorted(listed) and {"test", "qemu-x86_64"} <= set(listed)
    assert any(line.startswith("test ") for line in profiles.stdout.splitlines())
