"""The one command that reruns exactly one test x variant, on this host or another."""

import re
import shlex


def test_reference(test):
    """An Avocado reference matching only this test: path:^Class.method$ (the filter is a regex)."""
    path, sep, method = test.rpartition(":")
    if not sep:
        return test
    return f"{path}:^{re.escape(method)}$"


def command(rec, profile_ref, criteria_ref=None, runner=None):
    """`avocado run` for one record; profile_ref is the name or path given to --cert-profile."""
    parts = ["avocado", "run", "--cert-profile", profile_ref, "--cert-variant", rec.variant]
    if criteria_ref:
        parts += ["--cert-criteria", criteria_ref]
    if runner:
        parts += ["--cert-runner", runner]
    parts.append(test_reference(rec.test))
    return " ".join(shlex.quote(part) for part in parts)
