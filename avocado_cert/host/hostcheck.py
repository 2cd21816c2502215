"""Before and after a certification run: record the environment, sweep stale prefixed objects,
and prove that every pre-existing object is exactly as it was (files under JOB/cert/)."""

import contextlib
import fcntl
import os
import re

import libvirt

from avocado_cert.base.errors import CertError
from avocado_cert.guest import variant as guest_variant
from avocado_cert.host import connect, driverprobe, environment, inventory, libvirt_errors
from avocado_cert.report import certfiles, drivermatrix

LOCK_PATH = "/run/avocado-cert.lock"
# Where the host's own libvirtd listens: a URI naming a socket there reaches the host's daemon.
SYSTEM_SOCKET_DIRS = ("/run/libvirt/", "/var/run/libvirt/")


def in_process(uri):
    """The test driver lives inside each process: nothing outlives a test, nothing to lock."""
    return uri.startswith("test://")


# Drivers that run in the client and manage a remote host through its own API, no libvirtd: a run
# through them changes that host, not this one's daemon.
CLIENT_SIDE_SCHEMES = ("esx", "vpx", "gsx", "hyperv")


def lock_path(uri, path=LOCK_PATH):
    """The lock of what a run through uri can change: this host's daemon, or the remote host that a
    client-side driver manages (a lock of its own, so it does not wait for runs on the daemon)."""
    scheme, _sep, rest = uri.partition("://")
    stem, ext = os.path.splitext(path)
    if scheme not in CLIENT_SIDE_SCHEMES:
        # A daemon of its own (a private libvirtd's socket, e.g. a migration host) shares nothing with the host's.
        socket = re.search(r"[?&]socket=([^&]+)", rest)
        if socket is None or socket.group(1).startswith(SYSTEM_SOCKET_DIRS):
            return path
        return f"{stem}-socket-{re.sub(r'[^A-Za-z0-9.-]', '_', socket.group(1))}{ext}"
    server = rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    return f"{stem}-{scheme}-{re.sub(r'[^A-Za-z0-9.-]', '_', server)}{ext}"


def _lock_one(stack, path, what):
    try:
        handle = open(path, "a+", encoding="utf-8")  # pylint: disable=consider-using-with
        stack.enter_context(handle)
    except OSError:
        return  # no writable /run: nothing to coordinate with
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        stack.close()
        raise CertError(f"another certification run (pid {holder}) is using {what}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()


def lock_host(uris, path=LOCK_PATH):
    """Hold the lock of every target a run uses (a daemon, a remote host), so two runs never sweep
    each other's objects; the test driver's are in-process and need none."""
    paths = sorted({lock_path(uri, path) for uri in uris if not in_process(uri)})
    if not paths:
        return None
    stack = contextlib.ExitStack()
    for one in paths:
        _lock_one(stack, one, "this host" if one == path else f"this target ({one})")
    return stack


def unlock_host(handle):
    if handle is not None:
        handle.close()


def _connect(uri):
    libvirt_errors.quiet()
    try:
        return connect.open_uri(uri)
    except libvirt.libvirtError as err:
        raise CertError(f"cannot connect to {uri}: {libvirt_errors.describe(err)}") from None


def preflight(uris, cert_dir, variants=()):
    """Record the environment, sweep stale prefixed objects, snapshot the inventory of each URI, and
    have every variant's guest image built and its virt type settled before any test needs them."""
    env = {"host": environment.host(), "targets": {}, "guests": {}}
    before = {}
    swept = {}
    for uri in uris:
        conn = _connect(uri)
        try:
            env["targets"][uri] = environment.describe(conn, uri)
            swept[uri] = inventory.sweep(conn)
            before[uri] = inventory.snapshot(conn)
        finally:
            conn.close()
    for variant in variants:
        guest = guest_variant.prepare(variant.params)
        if guest is not None:
            env["guests"][variant.id] = guest
    # Every row of the driver matrix, measured on this host: what libvirt answers for its profiles' URIs.
    env["driver_probes"] = driverprobe.probe_all(drivermatrix.probe_targets())
    certfiles.write(cert_dir, certfiles.ENVIRONMENT, env)
    certfiles.write(cert_dir, certfiles.INVENTORY_BEFORE, {"inventory": before, "swept": swept})
    return env, swept


def postcheck(cert_dir):
    """Compare each URI's inventory with the one taken before; write and return host-safety.json."""
    recorded = certfiles.read(cert_dir, certfiles.INVENTORY_BEFORE)
    if recorded is None:
        return None
    after = {}
    problems = []
    for uri, before in recorded["inventory"].items():
        try:
            conn = _connect(uri)
        except CertError as details:
            problems.append(f"could not check the host afterwards: {details}")
            continue
        try:
            after[uri] = inventory.snapshot(conn)
        except libvirt.libvirtError as err:
            problems.append(f"could not check {uri} afterwards: {libvirt_errors.describe(err)}")
            continue
        finally:
            conn.close()
        problems.extend(f"{uri}: {problem}" for problem in inventory.compare(before, after[uri]))
    certfiles.write(cert_dir, certfiles.INVENTORY_AFTER, {"inventory": after})
    safety = {
        "checked": sorted(after),
        "swept_before_run": recorded.get("swept", {}),
        "problems": problems,
    }
    certfiles.write(cert_dir, certfiles.HOST_SAFETY, safety)
    return safety
