"""The lxc profile against libvirt's LXC driver in a libvirtd of scripts/lxc-host.sh: with the cgroup
layout the script gives the daemon, the containers start and the profile gives a verdict from checks
inside them; with the host's own layout kept, either the same, or, where libvirt_lxc cannot start a
container there, every test SKIPs with the reason the daemon gave (measured here by starting one)."""

import os
import subprocess
import sys
import time

import libvirt
import pytest
import yaml

from avocado_cert.base import outcome, paths
from avocado_cert.guest import cache, container
from avocado_cert.host import libvirt_errors
from avocado_cert.testing.container import container_xml
from selftests.functional.certrun import latest_report

SCRIPT = os.path.join(paths.home(), "scripts", "lxc-host.sh")
STATE = "/tmp/acert-lxc-selftest"
URI = f"lxc:///system?socket={STATE}/sock/libvirt-sock"
LOCK_WAIT = 600


def lxc_host(action, layout="auto"):
    env = dict(os.environ, AVOCADO_CERT_LXC_STATE=STATE, AVOCADO_CERT_LXC_CGROUPS=layout)
    return subprocess.run(["bash", SCRIPT, action], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(params=["auto", "host"])
def daemon(request):
    if os.geteuid() != 0:
        pytest.skip("the LXC driver's libvirtd needs root (mount namespaces)")
    started = lxc_host("start", request.param)
    if started.returncode != 0:
        lxc_host("stop")
        pytest.fail(f"scripts/lxc-host.sh start: {started.stdout}{started.stderr}")
    yield request.param
    lxc_host("stop")


def probe_start():
    """None if a container starts on the daemon now, else the daemon's message."""
    libvirt_errors.quiet()
    image = cache.load_image("debian-tiny", "x86_64")
    conn = libvirt.open(URI)
    try:
        dom = conn.createXML(container_xml("acert-dom-lxcprobe", container.rootfs(image)), 0)
        dom.destroy()
        return None
    except libvirt.libvirtError as err:
        return err.get_error_message()
    finally:
        conn.close()


def run_profile(tmp_path):
    with open(os.path.join(paths.profiles_dir(), "lxc.yaml"), encoding="utf-8") as src:
        document = yaml.safe_load(src)
    document["axes"]["driver"]["lxc"]["uri"] = URI
    profile = tmp_path / "lxc.yaml"
    profile.write_text(yaml.safe_dump(document, sort_keys=False))
    results = tmp_path / "results"
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    argv = [
        os.path.join(bindir, "avocado"),
        "run",
        "--job-results-dir",
        str(results),
        "--cert-profile",
        str(profile),
    ]
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        run = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=env)
        # Another run holds the host lock (a shared machine): wait for it, as its owner would.
        if "another certification run" not in run.stdout + run.stderr or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert "Traceback" not in run.stderr, run.stderr
    return run, latest_report(str(results))


def test_lxc_profile_verdict_or_skips_with_the_daemons_reason(daemon, tmp_path):
    reason = probe_start()
    run, report = run_profile(tmp_path)
    tests = [t for t in report["tests"] if t["area"] == "container"]
    assert len(tests) >= 5, report["tests"]
    if reason is None:
        assert {t["outcome"] for t in tests} == {outcome.PASS}, [(t["test"], t["reason"]) for t in tests]
        caps = {c["id"]: c for c in report["score"]["profiles"]["lxc"]["capabilities"]}
        for cap_id in ("container.lifecycle", "container.console", "container.memory", "container.network"):
            assert caps[cap_id]["outcome"] == outcome.PASS, caps[cap_id]
    else:
        assert daemon == "host", f"the script's own layout cannot start a container: {reason}"
        for test in tests:
            assert test["outcome"] == outcome.SKIP, test
            assert test["reason"].endswith(f"no container can start on this host: {reason}"), test
    assert run.returncode in (0, 1, 3), run.stderr
    # The report's driver matrix: this job ran the lxc row; rows it did not run carry what was measured.
    rows = {row["id"]: row for row in report["driver_matrix"]["rows"]}
    assert rows["lxc"]["status"] in ("certified", "ran"), rows["lxc"]
    assert rows["xen"]["status"] in ("available", "unavailable") and rows["xen"]["needs"], rows["xen"]
