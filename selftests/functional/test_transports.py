"""The remote-transport profiles end to end, on a private libvirtd that listens on the unix socket, on
TCP without authentication and on TLS with client certificates and SASL (scripts/libvirtd-host.sh's
configuration and credentials, made for the test): one job over the three transports, its transport
equivalence section, and the insecure TCP set-up flagged by the security capabilities."""

import os
import subprocess

import pytest
import yaml

from avocado_cert.base import paths
from selftests.conftest import BIN
from selftests.functional.certrun import latest_report
from selftests.functional.private_libvirtd import PrivateLibvirtd, available

ROOT = "/tmp/acert-private-remote"
PROFILES = ("qemu-x86_64-unix", "qemu-x86_64-tcp", "qemu-x86_64-tls")
TESTS = [
    "host/test_connection.py",
    "host/test_session.py",
    "domain/test_lifecycle.py",
    "secret/test_secret.py",
    "security/test_transport.py",
]


@pytest.fixture(scope="module")
def daemon():
    why = available()
    if why:
        pytest.skip(f"no private libvirtd: {why}")
    private = PrivateLibvirtd(ROOT, remote=True).start()
    try:
        yield private
    finally:
        private.stop()


def remote_profiles(folder, daemon, tests=TESTS, timeout=120):
    """The shipped remote profiles pointed at the private daemon and its credentials."""
    os.makedirs(folder, exist_ok=True)
    written = []
    for name in PROFILES:
        with open(os.path.join(paths.profiles_dir(), f"{name}.yaml"), encoding="utf-8") as src:
            document = yaml.safe_load(src)
        document.update(areas=[], tests=list(tests), timeout=timeout)
        document["params"]["guest"] = "none"
        for values in document["axes"]["driver"].values():
            values["domain_type"] = "qemu"
        for values in document["axes"]["transport"].values():
            uri = values["uri"].replace("/run/avocado-cert", daemon.state)
            if uri.startswith("qemu+unix:"):
                uri += f"?socket={daemon.socket}"
            values["uri"] = uri
        path = os.path.join(folder, f"{name}.yaml")
        with open(path, "w", encoding="utf-8") as out:
            yaml.safe_dump(document, out, sort_keys=False)
        written.append(path)
    return ",".join(written)


@pytest.fixture(scope="module")
def three_transports(daemon, tmp_path_factory):
    folder = tmp_path_factory.mktemp("transports")
    spec = remote_profiles(str(folder / "profiles"), daemon)
    results = str(folder / "results")
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run(
        daemon.in_network(
            [os.path.join(BIN, "avocado"), "run", "--cert-profile", spec, "--job-results-dir", results]
        ),
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    return proc, latest_report(results)


def _capabilities(report, profile):
    return {cap["id"]: cap for cap in report["score"]["profiles"][profile]["capabilities"]}


def test_one_job_over_three_transports(three_transports):
    proc, report = three_transports
    variants = {v["id"] for v in report["variants"]}
    assert variants == {"qemu-x86_64-unix", "qemu-x86_64-tcp", "qemu-x86_64-tls"}, proc.stdout[-2000:]
    targets = report["environment"]["targets"]
    assert {uri.split(":", 1)[0] for uri in targets} == {"qemu+unix", "qemu+tcp", "qemu+tls"}
    by_transport = {uri.split(":", 1)[0]: env for uri, env in targets.items()}
    assert (by_transport["qemu+tcp"]["is_secure"], by_transport["qemu+tcp"]["is_encrypted"]) == (0, 0)
    assert (by_transport["qemu+tls"]["is_secure"], by_transport["qemu+tls"]["is_encrypted"]) == (1, 1)
    outcomes = [t["outcome"] for t in report["tests"]]
    print("outcomes: " + ", ".join(f"{o} {outcomes.count(o)}" for o in sorted(set(outcomes))))
    assert outcomes.count("PASS") > 60
    assert report["host_safety"]["problems"] == []


def test_transport_equivalence_section(three_transports):
    proc, report = three_transports
    equivalence = report["transport_equivalence"]
    assert equivalence["transports"] == ["unix", "tcp", "tls"]
    assert equivalence["compared"] >= 30
    for row in equivalence["findings"]:
        print(f"finding: {row['test']}: {row['outcomes']} {row['reasons']}")
    assert f"Transport equivalence (unix, tcp, tls): {equivalence['compared']} tests compared" in proc.stdout
    html_path = os.path.join(report["job"]["logdir"], "cert", "report.html")
    with open(html_path, encoding="utf-8") as src:
        assert "<h2>Transport equivalence</h2>" in src.read()


def test_insecure_tcp_is_flagged_and_tls_is_not(three_transports):
    proc, report = three_transports
    tcp = _capabilities(report, "qemu-x86_64-tcp")
    for cap in ("security.remote_authentication", "security.remote_encryption"):
        assert tcp[cap]["outcome"] == "FAIL" and tcp[cap]["status"] == "advisory", tcp[cap]
    assert "security.tls_client_auth" not in tcp and "security.sasl_auth" not in tcp
    tls = _capabilities(report, "qemu-x86_64-tls")
    for cap in (
        "security.tls_client_auth",
        "security.sasl_auth",
        "security.remote_authentication",
        "security.remote_encryption",
    ):
        assert tls[cap]["outcome"] == "PASS", tls[cap]
    assert "security.remote_authentication" not in _capabilities(report, "qemu-x86_64-unix")
    assert (
        "Advisory capabilities failed (not blocking): security.remote_authentication, security.remote_encryption"
        in (proc.stdout)
    )
