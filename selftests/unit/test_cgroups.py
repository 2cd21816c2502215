"""Which cgroup controllers scripts/libvirtd-host.sh lets libvirt use, decided from the host's mounts
(fake /proc/self/mountinfo contents and cgroup roots), and the qemu.conf line it writes from them."""

import os
import subprocess

import pytest

from avocado_cert.base import paths

SCRIPT = os.path.join(paths.home(), "scripts", "libvirtd-host.sh")

HYBRID = """\
49 40 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
51 49 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
52 49 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
53 49 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
54 49 0:32 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
55 49 0:33 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
56 49 0:34 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
# Co-mounted controllers (cpu,cpuacct) and optional fields before the separator.
COMOUNTED = """\
30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup rw,cpu,cpuacct
31 25 0:27 / /sys/fs/cgroup/devices rw,nosuid shared:11 master:3 - cgroup cgroup rw,devices
"""
READ_ONLY = "40 25 0:26 / /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n"
NONE = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n23 1 0:22 / /sys rw - sysfs sysfs rw\n"
PURE_V2 = "29 23 0:25 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"


def controllers(tmp_path, mountinfo, v2_controllers=None):
    (tmp_path / "mountinfo").write_text(mountinfo)
    root = tmp_path / "cgroup"
    root.mkdir(exist_ok=True)
    if v2_controllers is not None:
        (root / "cgroup.controllers").write_text(v2_controllers + "\n")
    out = subprocess.run(
        ["bash", SCRIPT, "cgroups", str(tmp_path / "mountinfo"), str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


@pytest.mark.parametrize(
    "mountinfo,v2,expected",
    [
        (HYBRID, None, ["cpu", "cpuacct", "memory", "name=systemd"]),
        (COMOUNTED, None, ["cpu", "cpuacct", "devices"]),
        (READ_ONLY, None, []),
        (NONE, None, []),
        (PURE_V2, "cpuset cpu io memory pids", ["cpu", "cpuacct", "cpuset", "memory", "devices", "blkio"]),
        (PURE_V2, "", ["devices"]),
    ],
    ids=["hybrid", "comounted", "read-only", "none", "pure-v2", "pure-v2-empty"],
)
def test_controllers_from_mounts(tmp_path, mountinfo, v2, expected):
    assert controllers(tmp_path, mountinfo, v2) == expected


def qemu_conf_line(tmp_path, mountinfo):
    (tmp_path / "mountinfo").write_text(mountinfo)
    (tmp_path / "cgroup").mkdir(exist_ok=True)
    env = dict(
        os.environ,
        AVOCADO_CERT_MOUNTINFO=str(tmp_path / "mountinfo"),
        AVOCADO_CERT_CGROUP_ROOT=str(tmp_path / "cgroup"),
    )
    out = subprocess.run(
        ["bash", SCRIPT, "qemu-conf", str(tmp_path / "qemu.conf")], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    lines = (tmp_path / "qemu.conf").read_text().splitlines()
    return [line for line in lines if line.startswith("cgroup_controllers")], out.stdout


def test_qemu_conf_names_the_mounted_controllers(tmp_path):
    lines, said = qemu_conf_line(tmp_path, COMOUNTED)
    assert lines == ['cgroup_controllers = [ "cpu", "cpuacct", "devices" ]']
    assert "cpu cpuacct devices" in said


def test_qemu_conf_without_cgroups_says_so(tmp_path):
    lines, said = qemu_conf_line(tmp_path, NONE)
    assert lines == ["cgroup_controllers = [ ]"]
    assert "no usable cgroup controller" in said


@pytest.mark.parametrize(
    "mountinfo,layout",
    [(HYBRID, "hybrid"), (COMOUNTED, "v1"), (PURE_V2, "v2"), (NONE, "none")],
    ids=["hybrid", "v1", "v2", "none"],
)
def test_cgroup_layout(tmp_path, mountinfo, layout):
    """On a hybrid layout `start` runs libvirtd in a mount namespace without the cgroup2 beside v1."""
    (tmp_path / "mountinfo").write_text(mountinfo)
    out = subprocess.run(
        ["bash", SCRIPT, "cgroup-layout", str(tmp_path / "mountinfo")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == layout
