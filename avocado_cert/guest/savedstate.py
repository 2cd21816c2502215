"""Saved states of booted guests: a guest that a test only needs running (at its shell) is restored
from the state saved right after a real boot of the same domain definition, instead of booting again
(under TCG a restore takes a fraction of a boot).

One state per definition (the domain XML without its name and UUID), hypervisor and libvirt version,
kept next to the guest image it boots. A restore keeps the saved domain's name and UUID (libvirt
refuses others), so each state has a domain name of its own and serves one domain at a time. A
definition has a few slots, one state each, so that tests running in parallel each find one; a test
that finds every slot in use boots for real.
"""

import fcntl
import hashlib
import os
import re

from avocado_cert.base import naming

SAVED = "saved"
# As many as tests that run at once (profiles run up to 2 per CPU); a slot's state is saved on its
# first use, so a slot only costs disk space (a state is about the guest's memory in use, ~85 MB).
SLOTS = max(2, min(8, 2 * (os.cpu_count() or 1)))
_NAME_RE = re.compile(r"<name>[^<]*</name>")
_UUID_RE = re.compile(r"<uuid>[^<]*</uuid>")


def key(domain_xml, versions):
    """The identity of a saved state: the definition without name and UUID, and the versions that
    must not change under it (libvirt's and the hypervisor's)."""
    text = _UUID_RE.sub("", _NAME_RE.sub("", domain_xml, count=1), count=1)
    digest = hashlib.sha256()
    digest.update(text.encode())
    digest.update(repr(tuple(versions)).encode())
    return digest.hexdigest()[:24]


def renamed(domain_xml, name):
    """domain_xml with its (first) <name> replaced."""
    return _NAME_RE.sub(f"<name>{name}</name>", domain_xml, count=1)


class State:
    """The file of one saved state and its lock (claim() before use, release() after)."""

    def __init__(self, folder, state_key, slot=0):
        self.key = state_key
        # Prefixed like every object of the suite (a killed run's domain is swept by the next preflight).
        self.domain_name = f"{naming.PREFIX}saved-{state_key[:12]}-{slot}"
        self.folder = os.path.join(folder, SAVED)
        self.path = os.path.join(self.folder, f"{state_key}-{slot}.save")
        self._lock_path = os.path.join(self.folder, f"{state_key}-{slot}.lock")
        self._handle = None

    @property
    def saved(self):
        return os.path.isfile(self.path)

    def partial_path(self):
        """Where a new state is written before it is renamed into place (never read half-written)."""
        return f"{self.path}.{os.getpid()}.part"

    def commit(self, partial):
        os.replace(partial, self.path)

    def discard(self):
        """Drop a state that could not be restored (an upgraded hypervisor, a damaged file)."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def claim(self):
        """Take the state for this process (until release()); False when another domain holds it."""
        os.makedirs(self.folder, exist_ok=True)
        handle = open(self._lock_path, "a", encoding="utf-8")  # pylint: disable=consider-using-with
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self):
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def claim(image_folder, domain_xml, versions, slots=None):
    """A claimed state (slot) for the definition, or None when every slot serves another domain."""
    state_key = key(domain_xml, versions)
    for slot in range(slots or SLOTS):
        state = State(image_folder, state_key, slot)
        if state.claim():
            return state
    return None


def local_uri(uri):
    """Whether the daemon behind uri runs on this host (the state file is read and written there)."""
    match = re.match(r"^[a-z0-9+]+://([^/]*)/", uri or "")
    host = match.group(1).split("@")[-1].split(":")[0] if match else ""
    return host in ("", "localhost", "127.0.0.1", "::1", "[::1]")
