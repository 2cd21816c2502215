"""A private libvirtd for selftests that kill or disturb a daemon: the same binary and QEMU as the
host's, in its own mount and network namespaces (its own /run/libvirt, /var/lib/libvirt and
/etc/libvirt; its own bridges and firewall), reached through a socket in a folder both namespaces see.

A holder process keeps the namespaces alive, so the daemon can be killed and started again over the
same state (and the QEMU processes it left running), as a host's daemon would be restarted.
"""

import os
import shutil
import signal
import subprocess
import time

import libvirt

from avocado_cert.base import paths
from avocado_cert.host import connect, libvirt_errors

# Short and fixed: a socket path has 108 bytes at most, and the guest probe's decision is cached per URI.
ROOT = "/tmp/acert-private-libvirtd"
# The QEMU capabilities probe (~8 s, more on a busy host) is kept between fixtures.
CACHE = "/var/cache/avocado-cert/private-libvirtd"
PRIVATE = ("/run/libvirt", "/var/lib/libvirt", "/etc/libvirt")

CONF = """# avocado-cert selftests: a private libvirtd, unix socket only, without authentication.
unix_sock_dir = "{root}/sock"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:{root}/libvirtd.log"
"""

NAMESPACE = """set -e
ip link set lo up
for d in {private}; do mkdir -p "$d"; mount -t tmpfs acert-private "$d"; done
mkdir -p /var/cache/libvirt "{cache}"
mount --bind "{cache}" /var/cache/libvirt
cp "{root}/etc/qemu.conf" /etc/libvirt/qemu.conf
mkdir -p /var/lib/libvirt/qemu /var/lib/libvirt/images
{setup}
touch "{root}/namespace-ready"
exec sleep infinity
"""


def available():
    """Why a private daemon cannot run here, or None."""
    for tool in ("unshare", "nsenter", "libvirtd", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if os.geteuid() != 0:
        return "a private libvirtd needs root (mount namespaces)"
    if not os.path.isfile("/etc/libvirt/qemu.conf"):
        return "no /etc/libvirt/qemu.conf (scripts/libvirtd-host.sh start writes one)"
    return None


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


class PrivateLibvirtd:
    """remote=True: also TCP (no auth) and TLS + SASL on 127.0.0.1 of its own network namespace, with
    the configuration and credentials scripts/libvirtd-host.sh makes (state folder ROOT/state)."""

    def __init__(self, root=ROOT, remote=False, qemu_conf="/etc/libvirt/qemu.conf", setup=""):
        self.root = root
        self.qemu_conf = qemu_conf
        self.setup = setup  # shell commands run in the namespaces before the daemon starts
        self.remote = remote
        self.holder = None
        self.socket = f"{root}/sock/libvirt-sock"
        self.uri = f"qemu+unix:///system?socket={self.socket}"
        self.state = os.path.join(root, "state")

    @property
    def pidfile(self):
        return os.path.join(self.root, "libvirtd.pid")

    def daemon_pid(self):
        try:
            with open(self.pidfile, encoding="utf-8") as src:
                pid = int(src.read().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    # --- the namespaces ----------------------------------------------------------------------------
    def start(self, timeout=300):
        """Make the namespaces and start the daemon in them; return once it answers."""
        if os.path.exists(self.root):
            shutil.rmtree(self.root)
        os.makedirs(os.path.join(self.root, "etc"))
        os.makedirs(os.path.join(self.root, "sock"))
        os.makedirs(CACHE, exist_ok=True)
        shutil.copyfile(self.qemu_conf, os.path.join(self.root, "etc", "qemu.conf"))
        conf = CONF.format(root=self.root)
        if self.remote:
            script = os.path.join(paths.home(), "scripts", "libvirtd-host.sh")
            subprocess.run(
                ["bash", script, "credentials"],
                env=dict(os.environ, AVOCADO_CERT_STATE=self.state),
                check=True,
                capture_output=True,
                timeout=120,
            )
            with open(os.path.join(self.state, "libvirtd.conf"), encoding="utf-8") as src:
                host_conf = [
                    line for line in src if not line.startswith(("log_outputs", "unix_sock", "auth_unix"))
                ]
            conf += "".join(host_conf)
        with open(os.path.join(self.root, "libvirtd.conf"), "w", encoding="utf-8") as out:
            out.write(conf)
        script = NAMESPACE.format(private=" ".join(PRIVATE), cache=CACHE, root=self.root, setup=self.setup)
        with open(os.path.join(self.root, "namespace.log"), "w", encoding="utf-8") as log:
            self.holder = subprocess.Popen(  # pylint: disable=consider-using-with
                ["unshare", "-m", "-n", "--propagation", "private", "sh", "-c", script],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        _wait(
            lambda: os.path.exists(os.path.join(self.root, "namespace-ready"))
            or self.holder.poll() is not None,
            30,
            "the private namespaces",
        )
        if self.holder.poll() is not None:
            raise RuntimeError(f"the private namespaces could not be made: see {self.root}/namespace.log")
        self.start_daemon(timeout)
        return self

    def start_daemon(self, timeout=300):
        """Start libvirtd in the namespaces (again, after a kill: same state, same guests)."""
        command = ["libvirtd", "-d", "-f", os.path.join(self.root, "libvirtd.conf"), "-p", self.pidfile]
        if self.remote:
            command = ["env", f"SASL_CONF_PATH={self.state}/sasl", *command, "--listen"]
        subprocess.run(["nsenter", "-t", str(self.holder.pid), "-m", "-n", *command], check=True, timeout=60)
        _wait(self.answers, timeout, f"the private libvirtd on {self.uri}")

    def in_network(self, argv):
        """argv run inside the daemon's network namespace (its 127.0.0.1), the host's filesystem kept."""
        return ["nsenter", "-t", str(self.holder.pid), "-n", *argv]

    def answers(self):
        libvirt_errors.quiet()
        try:
            conn = connect.open_uri(self.uri)
        except libvirt.libvirtError:
            return False
        try:
            return bool(conn.getType())
        finally:
            conn.close()

    def kill_daemon(self, sig=signal.SIGKILL):
        pid = self.daemon_pid()
        if pid is not None:
            os.kill(pid, sig)
            _wait(lambda: self.daemon_pid() is None, 30, f"libvirtd {pid} to exit")
        return pid

    def _namespace_pids(self):
        """Processes in the private mount namespace (the daemon, QEMU guests, dnsmasq), holder excluded."""
        try:
            mine = os.readlink(f"/proc/{self.holder.pid}/ns/mnt")
        except OSError:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != self.holder.pid:
                try:
                    if os.readlink(f"/proc/{entry}/ns/mnt") == mine:
                        pids.append(int(entry))
                except OSError:
                    continue
        return pids

    def stop(self):
        """Stop the daemon and whatever it started in the namespaces, then the namespaces themselves."""
        if self.holder is None:
            return
        try:
            self.kill_daemon(signal.SIGTERM)
        except RuntimeError:
            self.kill_daemon(signal.SIGKILL)
        for pid in self._namespace_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
        self.holder.kill()
        self.holder.wait(timeout=30)
        self.holder = None
        shutil.rmtree(self.root, ignore_errors=True)
