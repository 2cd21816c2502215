"""The daemon's side of client connections, through virt-admin: find this process's connections and
close one from the server side (libvirt-python has no binding of the admin API)."""

import os
import re
import shutil
import subprocess

_TIMEOUT = 20


class AdminUnavailable(Exception):
    """virt-admin is missing or cannot reach the daemon's admin socket."""


def _virt_admin(*args):
    tool = shutil.which("virt-admin")
    if tool is None:
        raise AdminUnavailable("virt-admin is not installed")
    try:
        done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as details:
        raise AdminUnavailable(f"virt-admin {' '.join(args)}: {details}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise AdminUnavailable(f"virt-admin {' '.join(args)}: {message[-1] if message else done.returncode}")
    return done.stdout


def own_clients(server="libvirtd", pid=None):
    """Ids of the server's clients connected from this process (by the unix socket peer's pid)."""
    pid = os.getpid() if pid is None else pid
    ids = set()
    for client_id in re.findall(r"^\s*(\d+)\s", _virt_admin("srv-clients-list", server), re.MULTILINE):
        try:
            info = _virt_admin("client-info", server, client_id)
        except AdminUnavailable:
            continue  # the client left meanwhile
        if re.search(rf"unix_process_id\s*:\s*{pid}\b", info):
            ids.add(client_id)
    return ids


def disconnect(client_id, server="libvirtd"):
    _virt_admin("client-disconnect", server, client_id)
