"""The cgroup controllers scripts/libvirtd-host.sh gives libvirt, proven on a private libvirtd: with the
qemu.conf `start` writes on this host, a running guest's CPU accounting works where the host mounts
cpuacct, and the daemon says the controller is missing where it does not."""

import os
import subprocess

import libvirt
import pytest

from avocado_cert.base import naming, paths
from avocado_cert.guest import variant
from avocado_cert.guest.console import GuestConsole
from avocado_cert.host import libvirt_errors
from avocado_cert.testing import xmlbuild
from selftests.functional.private_libvirtd import PrivateLibvirtd, available

ROOT = "/tmp/acert-cgroups-libvirtd"
SCRIPT = os.path.join(paths.home(), "scripts", "libvirtd-host.sh")
PARAMS = {"domain_type": "qemu", "guest_arch": "x86_64", "guest": "debian-tiny"}


def host_controllers():
    out = subprocess.run(["bash", SCRIPT, "cgroups"], capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    reason = available()
    if reason:
        pytest.skip(reason)
    conf = str(tmp_path_factory.mktemp("cgroups") / "qemu.conf")
    subprocess.run(["bash", SCRIPT, "qemu-conf", conf], capture_output=True, check=True, timeout=60)
    # What `start` does on a hybrid host: the daemon's mount namespace has no cgroup2 beside v1.
    layout = subprocess.run(["bash", SCRIPT, "cgroup-layout"], capture_output=True, text=True, check=True)
    setup = "umount /sys/fs/cgroup/unified" if layout.stdout.strip() == "hybrid" else ""
    private = PrivateLibvirtd(ROOT, qemu_conf=conf, setup=setup).start()
    yield private
    private.stop()


def test_cpu_accounting_follows_the_host_mounts(daemon):
    params = dict(PARAMS, uri=daemon.uri)
    libvirt_errors.quiet()
    conn = libvirt.open(daemon.uri)
    name = naming.unique("dom")
    xml = xmlbuild.to_xml(xmlbuild.domain(params, name, vcpus=1, max_vcpus=1))
    dom = conn.createXML(xml, libvirt.VIR_DOMAIN_START_PAUSED)
    image = variant.image_for(params)
    console = GuestConsole(daemon.uri, name, image.recipe.marker, image.recipe.prompt)
    try:
        # The guest boots to its shell inside the cgroups the daemon gave it.
        console.attach()
        dom.resume()
        console.wait_boot(120)
        assert console.check("echo $((6*7))").strip() == "42"
        if "cpuacct" in host_controllers():
            total = dom.getCPUStats(True)[0]
            assert total["cpu_time"] > 0
            per_cpu = dom.getCPUStats(False)
            assert 0 < len(per_cpu) <= conn.getCPUMap()[0]
            assert sum(record["cpu_time"] for record in per_cpu) > 0
            with open(f"/proc/{dom_pid(daemon, dom)}/cgroup", encoding="utf-8") as src:
                placed = dict(line.split(":", 2)[1:] for line in src.read().splitlines())
            # The daemon placed the guest in a cgroup of its own (machine/qemu-N-NAME...).
            assert placed["cpu"].startswith("/machine/"), placed
        else:
            with pytest.raises(libvirt.libvirtError, match="CPUACCT controller is not mounted"):
                dom.getCPUStats(True)
    finally:
        console.close()
        dom.destroy()
        conn.close()


def dom_pid(private, dom):
    """The QEMU process of dom, from the pid file its daemon keeps in the private /run/libvirt."""
    argv = ["nsenter", "-t", str(private.holder.pid), "-m", "cat", f"/run/libvirt/qemu/{dom.name()}.pid"]
    return int(subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip())
