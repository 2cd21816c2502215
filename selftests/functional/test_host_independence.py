"""The same suite gives the same outcomes on hosts that differ only in what the API does not promise:
the CPU tests (and the host and vCPU tests beside them) run against test-driver hosts of each x86 vendor,
of different sizes, and every test ends the same way on both."""

import os

from selftests.conftest import avocado, write
from selftests.functional.certrun import latest_report

HOSTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hosts")
TESTS = ("host/test_cpu.py", "host/test_node.py", "host/test_connection.py", "domain/test_vcpu.py")

PROFILE = """
name: host-{vendor}
description: the test driver on a host with an {vendor} CPU
criteria: "1.1"
tests: [{tests}]
axes:
  driver:
    test: {{uri: "test://{node}", domain_type: test}}
  arch:
    i686: {{guest_arch: i686}}
params:
  guest: simulated
parallel: 4
timeout: 120
host: none
"""


def outcomes(tmp_path, vendor):
    node = os.path.join(HOSTS, f"{vendor}.xml")
    profile = write(
        tmp_path / f"host-{vendor}.yaml", PROFILE.format(vendor=vendor, node=node, tests=", ".join(TESTS))
    )
    results = str(tmp_path / f"results-{vendor}")
    avocado("run", "--cert-profile", profile, "--job-results-dir", results)
    report = latest_report(results)
    return {test["test"]: test["outcome"] for test in report["tests"]}


def test_outcomes_agree_across_host_vendors(tmp_path):
    intel, amd = outcomes(tmp_path, "intel"), outcomes(tmp_path, "amd")
    assert intel, "the Intel host ran no test"
    assert any("test_cpu.py" in name for name in intel), f"no CPU test ran: {sorted(intel)}"
    assert set(intel) == set(amd), f"different tests ran: {set(intel) ^ set(amd)}"
    differ = {name: (intel[name], amd[name]) for name in intel if intel[name] != amd[name]}
    assert not differ, f"outcomes differ between an Intel and an AMD host (Intel, AMD): {differ}"
