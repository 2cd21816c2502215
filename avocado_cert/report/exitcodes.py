"""Exit status of a certification run: the verdict, so that a pipeline can act on it."""

from avocado_cert.report import scoring

CERTIFIED = 0
NOT_CERTIFIED = 1
USAGE = 2  # bad profile, criteria, variant or other input; target unreachable
INCOMPLETE = 3

BY_VERDICT = {
    scoring.CERTIFIED: CERTIFIED,
    scoring.NOT_CERTIFIED: NOT_CERTIFIED,
    scoring.INCOMPLETE: INCOMPLETE,
}


def from_verdict(verdict):
    return BY_VERDICT.get(verdict, INCOMPLETE)
