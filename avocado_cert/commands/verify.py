"""`avocado cert verify FILE --pubkey PUB [--vendor SLUG]`: every rule checked on a bundle, each with
pass/fail, and the origin it was signed for (the vendor, product and version)."""

import json

from avocado_cert.base.datafile import read_bytes
from avocado_cert.base.errors import CertError

NAME = "verify"
HELP = "Verify a result bundle offline (signature, hashes, suite, criteria, tests, verdict, ...)"
RULES_FAILED = 1
UNREADABLE = 4


def configure(parser):
    parser.add_argument("cert_verify_bundle", metavar="FILE", help="The bundle (.tar.gz)")
    parser.add_argument(
        "--pubkey", dest="cert_verify_pubkey", metavar="PUB", required=True, help="The signer's public key"
    )
    parser.add_argument(
        "--vendor",
        dest="cert_verify_vendor",
        metavar="SLUG",
        help="The vendor whose registered key PUB is: the bundle must be signed for that vendor",
    )
    parser.add_argument(
        "--releases",
        dest="cert_verify_releases",
        metavar="FILE",
        help="Released suites to accept (a releases.yaml; default: the suite's data/releases.yaml)",
    )
    parser.add_argument(
        "--criteria-dir",
        dest="cert_verify_criteria_dir",
        metavar="DIR",
        help="Folder of published criteria (VERSION.yaml; default: the suite's data/criteria)",
    )
    parser.add_argument(
        "--json", dest="cert_verify_json", action="store_true", help="Machine-readable output"
    )


def render(result):
    from avocado_cert.offline import origin as origins  # pylint: disable=import-outside-toplevel

    lines = [f"Bundle {result.bundle} (key id {result.key_id[:16]})"]
    lines.append(f"  origin: {origins.describe(result.origin)}")
    if result.job_id:
        lines.append(f"  job {result.job_id[:12]}: {result.verdict}")
    first = {}
    for rule in result.rules:
        detail = rule.detail
        if not rule.passed and detail.startswith("cannot be checked"):
            # one broken file stops several rules: name it once
            if detail in first:
                detail = f"cannot be checked (as {first[detail]})"
            first.setdefault(rule.detail, rule.name)
        lines.append(f"  {'PASS' if rule.passed else 'FAIL'}  {rule.name:<12} {detail}")
    if result.ok and result.verdict == "INCOMPLETE":
        lines.append(
            f"VERIFIED: all {len(result.rules)} rules passed; the run is INCOMPLETE (not a certification)"
        )
    elif result.ok:
        lines.append(f"VERIFIED: all {len(result.rules)} rules passed")
    else:
        failed = result.failed
        lines.append(f"NOT VERIFIED: {len(failed)} rule(s) failed: {', '.join(r.name for r in failed)}")
    return "\n".join(lines)


def run(config, out):
    from avocado_cert.offline import origin as origins  # pylint: disable=import-outside-toplevel
    from avocado_cert.offline import signing, suitehash, verify  # pylint: disable=import-outside-toplevel

    path = config.get("cert_verify_bundle")
    pubkey_path = config.get("cert_verify_pubkey")
    signing.load_public(pubkey_path)  # a bad key file is one line naming it, before anything else
    releases = suitehash.load_releases(config.get("cert_verify_releases"))
    published = verify.load_published_criteria(config.get("cert_verify_criteria_dir"))
    vendor = config.get("cert_verify_vendor")
    if vendor is not None and not origins.SLUG_RE.match(vendor):
        raise CertError(f"--vendor: {vendor!r} is not a vendor slug (lowercase letters, digits and '-')")
    result = verify.verify(
        path,
        read_bytes(pubkey_path, "public key"),
        releases=releases,
        published_criteria=published,
        vendor=vendor,
    )
    if config.get("cert_verify_json"):
        out(json.dumps(result.to_dict(), indent=1, sort_keys=True))
    elif result.fatal:
        raise CertError(result.fatal)
    else:
        out(render(result))
    if result.fatal:
        return UNREADABLE
    return 0 if result.ok else RULES_FAILED
