"""Names of the objects the certification creates: all carry one prefix, so they can be found and swept."""

import re
import secrets

PREFIX = "acert-"
# Host network devices (bridges, taps) have 15 characters at most: acert + 6 hex digits.
NETDEV_RE = re.compile(r"^acert[0-9a-f]{6}$")


# Every name this process has handed out: a name is never given twice, however many objects a test makes.
_ISSUED = set()


def unique(kind, length=8):
    """A fresh name such as acert-dom-3fa9c1d0: never repeated in this process, and with 32 random bits
    unlikely to meet another process's (parallel tests share a daemon's domain, network and pool names)."""
    while True:
        name = f"{PREFIX}{kind}-{secrets.token_hex(length)[:length]}"
        if name not in _ISSUED:
            _ISSUED.add(name)
            return name


def netdev():
    """A fresh host network device name of 11 characters."""
    return f"acert{secrets.token_hex(3)}"


def owned(name):
    """Whether a name was made by the certification (and so may be swept)."""
    return bool(name) and (name.startswith(PREFIX) or bool(NETDEV_RE.match(name)))
