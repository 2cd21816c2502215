"""Transport equivalence: the same test on the same driver and arch must end the same way whatever
transport carried it (unix socket, TCP, TLS, ...). A test whose outcome differs between transports of
one job is a finding: the API behaves differently depending on how the client reached the daemon. Checks of
the transport itself (TRANSPORT_CAPABILITIES) differ by design and are listed apart.

Computed from the report document alone (variants and tests), so a bundle's report gives the same
answer offline. SKIP is not compared: a transport-specific test SKIPs by design where its transport is
absent; such rows are listed apart, as are tests with no result on some transport.
"""

from collections import OrderedDict

from avocado_cert.base import outcome

SUMMARY_FINDINGS = 10
_NOT_COMPARED = (outcome.SKIP, outcome.MISSING)
# Capabilities that certify the transport itself (who may connect, whether the channel is encrypted):
# their outcome depends on the transport by design, so they are listed apart, not as findings.
TRANSPORT_CAPABILITIES = frozenset(
    (
        "security.tls_client_auth",
        "security.sasl_auth",
        "security.remote_authentication",
        "security.remote_encryption",
    )
)


def _transport(variant):
    axes = variant.get("axes") or {}
    return str(axes.get("transport") or "")


def _rest(variant):
    """The variant's point apart from its transport: (axis, value) of every other axis."""
    return tuple(sorted((k, str(v)) for k, v in (variant.get("axes") or {}).items() if k != "transport"))


def _reason(test):
    return str(test.get("reason") or "").splitlines()[0][:160] if test.get("reason") else ""


def compare(report):
    """The equivalence document (stored in the report as transport_equivalence), or None for a job
    that ran under fewer than two transports."""
    variants = [v for v in report.get("variants") or [] if isinstance(v, dict) and v.get("id")]
    by_id = {v["id"]: v for v in variants}
    transports = list(OrderedDict.fromkeys(t for t in (_transport(v) for v in variants) if t))
    if len(transports) < 2:
        return None
    groups = OrderedDict()
    for test in report.get("tests") or []:
        variant = by_id.get(test.get("variant")) if isinstance(test, dict) else None
        if variant is None or not _transport(variant):
            continue
        key = (test["test"], _rest(variant))
        groups.setdefault(key, {})[_transport(variant)] = test
    findings = []
    skipped_somewhere = []
    by_design = []
    compared = 0
    for (name, rest), cells in groups.items():
        if len(cells) < 2:
            continue
        compared += 1
        outcomes = {t: cells[t]["outcome"] for t in transports if t in cells}
        row = {
            "test": name,
            "point": dict(rest),
            "outcomes": outcomes,
            "variants": {t: cells[t]["variant"] for t in outcomes},
            "reasons": {t: _reason(cells[t]) for t in outcomes if cells[t]["outcome"] != outcome.PASS},
            "missing_in": [t for t in transports if t not in cells],
        }
        judged = {o for o in outcomes.values() if o not in _NOT_COMPARED}
        caps = {cap for test in cells.values() for cap in test.get("caps") or ()}
        if caps and caps <= TRANSPORT_CAPABILITIES:
            if len(set(outcomes.values())) > 1:
                by_design.append(row)
        elif len(judged) > 1:
            findings.append(row)
        elif len(set(outcomes.values())) > 1:
            skipped_somewhere.append(row)
    return {
        "transports": transports,
        "compared": compared,
        "findings": findings,
        "not_compared": skipped_somewhere,
        "transport_specific": by_design,
    }


def _describe(row):
    by_outcome = OrderedDict()
    for transport, result in row["outcomes"].items():
        by_outcome.setdefault(result, []).append(transport)
    return ", ".join(f"{result} over {'/'.join(names)}" for result, names in by_outcome.items())


def summary_lines(equivalence):
    if not equivalence:
        return []
    findings = equivalence["findings"]
    head = (
        f"Transport equivalence ({', '.join(equivalence['transports'])}): {equivalence['compared']} tests "
        f"compared, {len(findings)} differ"
    )
    if equivalence["not_compared"]:
        head += f" ({len(equivalence['not_compared'])} more differ only by SKIP or a missing result)"
    if equivalence.get("transport_specific"):
        head += f"; {len(equivalence['transport_specific'])} transport security checks differ by design"
    lines = [head + (":" if findings else "")]
    for row in findings[:SUMMARY_FINDINGS]:
        lines.append(f"  {row['test']}: {_describe(row)}")
        for transport, reason in row["reasons"].items():
            if row["outcomes"][transport] not in _NOT_COMPARED and reason:
                lines.append(f"    {transport}: {reason[:100]}")
    if len(findings) > SUMMARY_FINDINGS:
        lines.append(f"  ... {len(findings) - SUMMARY_FINDINGS} more in the report")
    return lines
