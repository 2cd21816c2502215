"""What the daemon's host shows outside the API (files, network devices), checked only where this
process shares that host with the driver: a local daemon, never the in-process test driver."""

import os
from urllib.parse import urlsplit

_LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


def shares_host(uri, driver):
    """Whether objects the driver makes (files, bridges) are visible to this process."""
    if driver == "test" or uri.startswith("test:"):
        return False
    return (urlsplit(uri).hostname or "") in _LOCAL_HOSTS


def link_exists(name):
    """Whether the host has a network device of that name (what `ip link show NAME` reads)."""
    return os.path.exists(os.path.join("/sys/class/net", name))


def allocated_bytes(path):
    """Bytes the file holds on disk (holes excluded)."""
    return os.stat(path).st_blocks * 512
