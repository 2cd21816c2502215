"""`avocado cert reproduce FILE [--failed | --variant ID]`: rerun a bundle's variants here and compare."""

import json

NAME = "reproduce"
HELP = "Rerun a bundle's failed (or named) variants on this host and compare the outcomes"
DIFFERENT = 1


def configure(parser):
    parser.add_argument("cert_reproduce_bundle", metavar="FILE", help="The bundle (.tar.gz)")
    parser.add_argument(
        "--failed",
        dest="cert_reproduce_failed",
        action="store_true",
        help="Only the failed test x variant points",
    )
    parser.add_argument(
        "--variant",
        dest="cert_reproduce_variants",
        metavar="ID",
        action="append",
        default=[],
        help="Only the tests of this variant (repeatable)",
    )
    parser.add_argument(
        "--work-dir",
        dest="cert_reproduce_work_dir",
        metavar="DIR",
        help="Where the reruns' job results go (default: a new folder under the system's temp folder)",
    )
    parser.add_argument(
        "--json", dest="cert_reproduce_json", action="store_true", help="Machine-readable output"
    )


def run(config, out):
    from avocado_cert.offline import reproduce  # pylint: disable=import-outside-toplevel

    result = reproduce.reproduce(
        config.get("cert_reproduce_bundle"),
        config.get("cert_reproduce_work_dir"),
        failed=config.get("cert_reproduce_failed"),
        variant_ids=config.get("cert_reproduce_variants") or (),
        progress=None if config.get("cert_reproduce_json") else out,
    )
    if config.get("cert_reproduce_json"):
        out(json.dumps(result.to_dict(), indent=1, sort_keys=True))
        return 0 if result.ok else DIFFERENT
    for note in result.notes:
        out(f"note: {note}")
    if not result.points:
        out("nothing to reproduce: no test x variant point matches")
        return 0
    for variant, job_dir, code in result.jobs:
        out(f"rerun of {variant}: {job_dir} (exit {code})")
    for point in result.points:
        mark = "same" if point.same else "DIFFERENT"
        out(
            f"  {mark:<9} {point.bundle_outcome:>11} -> {point.new_outcome:<11} {point.test} [{point.variant}]"
        )
    same = sum(1 for point in result.points if point.same)
    verdict = "REPRODUCED" if result.ok else "NOT REPRODUCED"
    out(f"{verdict}: {same} of {len(result.points)} outcomes as in the bundle")
    return 0 if result.ok else DIFFERENT
