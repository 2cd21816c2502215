"""Migration between two libvirt hosts on this machine: scripts/migration-host.sh starts them, and a
representative live migration of the qemu-x86_64-migration profile moves a booted guest whose console
counter goes on at the destination; nothing of the run is left on either host, and a domain of
someone else on each host is left exactly as it was."""

import os
import subprocess
import uuid

import libvirt
import pytest
import yaml

from avocado_cert.base import paths
from avocado_cert.host import connect
from selftests.conftest import avocado
from selftests.functional.certrun import latest_report
from selftests.functional.decoys import owned_objects
from selftests.functional.private_libvirtd import available

# A root of its own: a migration profile run by hand on this machine keeps /tmp/acert-migration.
ROOT = "/tmp/acert-migration-selftest"
SCRIPT = os.path.join(paths.home(), "scripts", "migration-host.sh")
TEST = "tests/migration/test_peer_to_peer.py:PeerToPeer.test_migrate_to_uri3"
VARIANT = "qemu-x86_64-tcp"
DECOY_XML = """<domain type='qemu'><name>{name}</name><memory unit='KiB'>65536</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os></domain>"""


def _script(action):
    return subprocess.run(
        ["bash", SCRIPT, action],
        env=dict(os.environ, AVOCADO_CERT_MIGRATION_ROOT=ROOT),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _uri(side):
    return f"qemu+unix:///system?socket={ROOT}/{side}/sock/libvirt-sock"


@pytest.fixture(name="hosts")
def _hosts():
    why = available() or (
        None if os.path.isdir("/run/avocado-cert/pki") else "no CA in /run/avocado-cert/pki"
    )
    if why:
        pytest.skip(f"no second libvirt host: {why}")
    started = _script("start")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield {side: connect.open_uri(_uri(side)) for side in ("src", "dst")}
    finally:
        stopped = _script("stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not os.path.exists(ROOT)


def _profile(folder):
    with open(os.path.join(paths.profiles_dir(), "qemu-x86_64-migration.yaml"), encoding="utf-8") as src:
        text = src.read().replace("/tmp/acert-migration/", ROOT + "/")
    document = yaml.safe_load(text)
    document["areas"] = []
    document["tests"] = ["migration/test_peer_to_peer.py"]
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "qemu-x86_64-migration.yaml")
    with open(path, "w", encoding="utf-8") as out:
        yaml.safe_dump(document, out, sort_keys=False)
    return path


def test_live_migration_between_two_hosts(hosts, tmp_path):
    assert hosts["src"].getHostname() != hosts["dst"].getHostname()
    decoys = {}
    for side, conn in hosts.items():
        name = f"selftest-decoy-{uuid.uuid4().hex[:8]}"
        decoys[side] = (conn.defineXML(DECOY_XML.format(name=name)), None)
        decoys[side] = (decoys[side][0], decoys[side][0].XMLDesc(0))
    try:
        results = str(tmp_path / "results")
        proc = avocado(
            "run",
            "--cert-profile",
            _profile(str(tmp_path / "profile")),
            "--cert-variant",
            VARIANT,
            TEST,
            "--job-results-dir",
            results,
            timeout=600,
        )
        report = latest_report(results)
        tests = report["tests"]
        assert [t["outcome"] for t in tests] == ["PASS"], proc.stdout[-3000:]
        metrics = tests[0]["metrics"]
        print(
            f"live migration: total {metrics['migration_total_ms']['value']:.0f} ms, "
            f"downtime {metrics['migration_downtime_ms']['value']:.0f} ms"
        )
        assert 0 < metrics["migration_downtime_ms"]["value"] <= metrics["migration_total_ms"]["value"]
        assert report["host_safety"]["problems"] == []
        for side, conn in hosts.items():
            assert owned_objects(conn) == [], f"left on the {side} host"
            dom, xml = decoys[side]
            assert dom.XMLDesc(0) == xml and dom.isActive() == 0, f"the {side} host's decoy changed"
    finally:
        for dom, _xml in decoys.values():
            try:
                dom.undefine()
            except libvirt.libvirtError:
                pass
        for conn in hosts.values():
            conn.close()
