import json
import os
import shutil

import pytest

from avocado_cert.apisurface import coverage
from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.base.errors import CertError
from selftests.conftest import TOP, avocado, write

ALPHA = '''
import libvirt
from avocado import Test


class Alpha(Test):
    """
    :avocado: tags=area:alpha
    """

    def test_suspend(self):
        """
        :avocado: tags=cap:alpha.one,api:virDomainSuspend
        :avocado: tags=api:virDomainSetMemoryFlags
        """
        self.flags = libvirt.VIR_DOMAIN_MEM_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG

    def test_bogus(self):
        """
        :avocado: tags=cap:alpha.one,api:virNoSuchThing,api:virDomainQemuAgentCommand
        """


class AlphaMore(Alpha):
    def test_config(self):
        """
        :avocado: tags=api:virDomainSetMemoryFlags
        """
        self.flags = libvirt.VIR_DOMAIN_MEM_CONFIG
'''

BETA = '''
from avocado import Test


class Beta(Test):
    def test_resume(self):
        """
        :avocado: tags=area:beta,api:virDomainResume
        """
'''

LISTED = """
functions:
  virDomainMigrate: needs a second host
"""

PROFILE = """
name: alpha
description: only the alpha area
criteria: "1.0"
areas: [alpha]
axes:
  driver:
    test:
      uri: test:///default
"""

SNAPSHOT = os.path.join(TOP, "data", "api", "libvirt-api-9.0.0.xml")


@pytest.fixture
def home(tmp_path):
    """A suite home with two tiny areas, the shipped bindings data and a one-entry reviewed list."""
    root = tmp_path / "home"
    write(root / "tests" / "alpha" / "test_alpha.py", ALPHA)
    write(root / "tests" / "beta" / "test_beta.py", BETA)
    write(root / "cfg" / "profiles" / "alpha.yaml", PROFILE)
    write(root / "data" / "api" / "not-certifiable.yaml", LISTED)
    shutil.copy(os.path.join(TOP, "data", "api", "python-bindings.yaml"), root / "data" / "api")
    for flavour in ("", "qemu-", "lxc-"):
        name = f"libvirt-{flavour}api-9.0.0.xml"
        os.symlink(os.path.join(TOP, "data", "api", name), root / "data" / "api" / name)
    return root


@pytest.fixture
def report(home):
    surface = apisurface.load(SNAPSHOT)
    from avocado_cert.apisurface import pybindings  # pylint: disable=import-outside-toplevel

    tests = coverage.scan_tests([str(home / "tests")], base=str(home))
    listed = coverage.load_not_certifiable(surface, str(home / "data" / "api" / "not-certifiable.yaml"))
    return coverage.build(surface, pybindings.load(surface), tests, listed)


def test_scan_reads_tags_and_constants(home):
    tests = {t.id: t for t in coverage.scan_tests([str(home / "tests")], base=str(home))}
    assert sorted(tests) == [
        "tests/alpha/test_alpha.py:Alpha.test_bogus",
        "tests/alpha/test_alpha.py:Alpha.test_suspend",
        "tests/alpha/test_alpha.py:AlphaMore.test_bogus",
        "tests/alpha/test_alpha.py:AlphaMore.test_config",
        "tests/alpha/test_alpha.py:AlphaMore.test_suspend",
        "tests/beta/test_beta.py:Beta.test_resume",
    ]
    suspend = tests["tests/alpha/test_alpha.py:Alpha.test_suspend"]
    assert suspend.values("api") == {"virDomainSuspend", "virDomainSetMemoryFlags"}
    assert suspend.values("area") == {"alpha"}
    assert suspend.constants == {"VIR_DOMAIN_MEM_LIVE", "VIR_DOMAIN_AFFECT_CONFIG"}
    # An inherited method's source is its base class's.
    assert tests["tests/alpha/test_alpha.py:AlphaMore.test_suspend"].constants == suspend.constants


def test_scan_filter_and_missing_reference(home):
    only = coverage.scan_tests([f"{home / 'tests' / 'alpha'}:^Alpha\\.test_s"], base=str(home))
    assert [t.id for t in only] == ["tests/alpha/test_alpha.py:Alpha.test_suspend"]
    with pytest.raises(CertError, match="no such test file or folder"):
        coverage.scan_tests([str(home / "tests" / "gamma")])


def test_report_statuses(report):
    domain = report["modules"]["libvirt-domain"]["entries"]
    assert domain["virDomainSuspend"]["status"] == coverage.COVERED
    assert domain["virDomainSuspend"]["python"] == "virDomain.suspend"
    assert domain["virDomainSuspend"]["tests"] == [
        "tests/alpha/test_alpha.py:Alpha.test_suspend",
        "tests/alpha/test_alpha.py:AlphaMore.test_suspend",
    ]
    assert domain["virDomainResume"]["tests"] == ["tests/beta/test_beta.py:Beta.test_resume"]
    assert domain["virDomainMigrate"] == dict(
        domain["virDomainMigrate"], status=coverage.NOT_CERTIFIABLE, reason="needs a second host"
    )
    assert domain["virDomainAbortJob"]["status"] == coverage.NO_TEST
    assert domain["virDomainAbortJob"]["reason"] == coverage.NO_TEST_REASON
    assert domain["virDomainRef"]["status"] == coverage.NOT_EXPOSED
    assert list(report["specific_api_tags"]) == ["virDomainQemuAgentCommand"]
    assert report["unknown_api_tags"] == {
        "virNoSuchThing": [
            "tests/alpha/test_alpha.py:Alpha.test_bogus",
            "tests/alpha/test_alpha.py:AlphaMore.test_bogus",
        ]
    }


def test_flag_coverage(report):
    flags = report["modules"]["libvirt-domain"]["entries"]["virDomainSetMemoryFlags"]["flags"]
    assert flags["all"] == [
        "VIR_DOMAIN_MEM_CONFIG",
        "VIR_DOMAIN_MEM_CURRENT",
        "VIR_DOMAIN_MEM_LIVE",
        "VIR_DOMAIN_MEM_MAXIMUM",
    ]
    # VIR_DOMAIN_AFFECT_CONFIG has the same value but belongs to another enum: not counted.
    assert flags["exercised"] == ["VIR_DOMAIN_MEM_CONFIG", "VIR_DOMAIN_MEM_LIVE"]


def test_summary_figures(report):
    summary = report["summary"]
    assert summary["functions"] == 516
    assert summary["covered"] == 3
    assert summary["not_certifiable"] == 1
    assert summary["exposed"] + summary["not_exposed"] == 516
    assert summary["no_test"] == summary["exposed"] - 4
    certifiable = summary["exposed"] - summary["not_certifiable"]
    assert summary["percent"] == round(300.0 / certifiable, 1)
    assert report["modules"]["libvirt-domain"]["covered"] == 3


def test_text_is_one_block_per_module(report):
    text = coverage.render_text(report)
    lines = text.splitlines()
    assert lines[0].startswith("total: 3/")
    headers = [line for line in lines if line and not line.startswith(" ")]
    assert len(headers) == 1 + len(report["modules"])
    assert "  not certifiable: virDomainMigrate: needs a second host" in lines
    assert any("virDomainSetMemoryFlags(2/4)" in line for line in lines)
    assert all(len(line) <= 110 for line in lines if line.startswith("    "))


def test_not_certifiable_validation(tmp_path):
    surface = apisurface.load(SNAPSHOT)
    bad_name = write(tmp_path / "a.yaml", "functions:\n  virNoSuchThing: why\n")
    with pytest.raises(CertError, match="virNoSuchThing: not a function of the libvirt API"):
        coverage.load_not_certifiable(surface, bad_name)
    no_reason = write(tmp_path / "b.yaml", "functions:\n  virDomainMigrate: ''\n")
    with pytest.raises(CertError, match="a reason is required"):
        coverage.load_not_certifiable(surface, no_reason)
    assert "virNodeSuspendForDuration" in coverage.load_not_certifiable(surface)


# --- the command ---------------------------------------------------------------------------------
def _run(home, *args):
    return avocado("cert", "coverage", *args, env={"AVOCADO_CERT_HOME": str(home)}, timeout=120)


def _error_lines(result):
    return [line for line in (result.stdout + result.stderr).splitlines() if "avocado cert coverage:" in line]


def test_command_json_and_require(home):
    result = _run(home, "--format", "json", "--api-xml", SNAPSHOT)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["covered"] == 3
    percent = data["summary"]["percent"]
    assert _run(home, "--require", str(percent), "--api-xml", SNAPSHOT).returncode == 0
    below = _run(home, "--require", "50", "--api-xml", SNAPSHOT)
    assert below.returncode != 0
    assert _error_lines(below) == [f"avocado cert coverage: coverage {percent}% is below the required 50%"]
    assert "Traceback" not in below.stdout + below.stderr


def test_command_profile_limits_the_tests(home):
    result = _run(home, "--profile", "alpha", "--format", "json", "--api-xml", "9.0.0")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tests"] == 5
    assert data["modules"]["libvirt-domain"]["entries"]["virDomainResume"]["status"] == coverage.NO_TEST


@pytest.mark.parametrize(
    "args, message",
    [
        (("--api-xml", "/nonexistent/api.xml"), "/nonexistent/api.xml: no such API description file"),
        (("--api-xml", "{bad}"), "malformed libvirt API description"),
        (("--require", "lots"), "--require: expected a percentage, got 'lots'"),
        (("--require", "120"), "--require: 120 is not between 0 and 100"),
        (("--profile", "nope"), "unknown profile 'nope'"),
    ],
)
def test_command_bad_input_is_one_line(home, args, message):
    args = tuple(write(home / "bad.xml", "<api><symbols>") if a == "{bad}" else a for a in args)
    result = _run(home, *args)
    assert result.returncode != 0
    lines = _error_lines(result)
    assert len(lines) == 1 and message in lines[0], result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
