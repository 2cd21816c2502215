"""The outcome of one certification test, and how outcomes add up to a capability's outcome.

PASS, FAIL, ERROR; UNSUPPORTED when the driver answered VIR_ERR_NO_SUPPORT; SKIP when the host
lacks a precondition; MISSING when a test the job should have run has no result. UNSUPPORTED and
SKIP are never PASS.
"""

PASS = "PASS"
FAIL = "FAIL"
ERROR = "ERROR"
UNSUPPORTED = "UNSUPPORTED"
SKIP = "SKIP"
MISSING = "MISSING"

ALL = (PASS, FAIL, ERROR, UNSUPPORTED, SKIP, MISSING)

# A CertTest that meets VIR_ERR_NO_SUPPORT cancels with this prefix; the scorer reads it back.
UNSUPPORTED_PREFIX = "UNSUPPORTED: "
SKIP_PREFIX = "SKIP: "

_AVOCADO = {
    "PASS": PASS,
    "WARN": PASS,  # passed, with warnings in the log: still a pass, the log says what
    "FAIL": FAIL,
    "ERROR": ERROR,
    "INTERRUPTED": ERROR,
    "SKIP": SKIP,
    "CANCEL": SKIP,
}

# Most telling first: a capability with any FAIL failed, whatever else happened.
_PRECEDENCE = (FAIL, ERROR, MISSING, UNSUPPORTED, SKIP, PASS)


def from_avocado(status, reason=None):
    """Map an Avocado test status (and its reason) to a certification outcome."""
    if status in ("CANCEL", "SKIP") and (reason or "").startswith(UNSUPPORTED_PREFIX):
        return UNSUPPORTED
    return _AVOCADO.get(status, ERROR)


def aggregate(outcomes):
    """The outcome of a set of test outcomes: MISSING if empty, else the most telling one."""
    present = set(outcomes)
    if not present:
        return MISSING
    for candidate in _PRECEDENCE:
        if candidate in present:
            return candidate
    return ERROR
