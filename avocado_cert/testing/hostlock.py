"""A host-wide resource held by one certification test at a time: a job runs its tests in parallel,
and a test that changes host state (the huge page pool) must not run while another reads it."""

import fcntl
import os
import re
import tempfile

LOCK_DIRS = ("/run/lock", tempfile.gettempdir())


def path_of(resource):
    if not re.fullmatch(r"[a-z0-9-]+", resource):
        raise ValueError(f"a host resource is named in lowercase letters, digits and dashes: {resource!r}")
    folder = next((d for d in LOCK_DIRS if os.access(d, os.W_OK)), tempfile.gettempdir())
    return os.path.join(folder, f"avocado-cert-{resource}.lock")


def hold(resource):
    """Wait for the resource and take it; returns the release callable."""
    handle = open(path_of(resource), "a", encoding="utf-8")  # pylint: disable=consider-using-with
    fcntl.flock(handle, fcntl.LOCK_EX)

    def release():
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return release
