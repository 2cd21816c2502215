"""Before a certification job starts: every target of the plan must answer. A target that cannot
be reached is a usage problem (the wrong URI, a daemon not started), not an INCOMPLETE run."""

from avocado_cert.host import driverprobe


def unreachable(plan):
    """One line per target that does not answer (profiles with refuse_unreachable say it themselves)."""
    lines, seen = [], set()
    refusing = {prof.name for prof in plan.profiles if getattr(prof, "refuse_unreachable", False)}
    for variant in plan.variants:
        uri = variant.params.get("uri")
        if not uri or uri in seen or variant.profile in refusing:
            continue
        seen.add(uri)
        answer = driverprobe.probe(uri)
        if not answer["answered"]:
            lines.append(
                f"cannot reach the target {uri} of profile {variant.profile}: {answer['message']} "
                f"({answer['code']}); start it or fix the profile's URI"
            )
    return lines
