"""`avocado cert profiles`: the shipped profiles, whether each validates, and whether it was verified."""

import json

NAME = "profiles"
HELP = "List the certification profiles (cfg/profiles)"


def configure(parser):
    parser.add_argument(
        "--json", dest="cert_profiles_json", action="store_true", help="Machine-readable output"
    )


def run(config, out):
    from avocado_cert.plan import profile  # pylint: disable=import-outside-toplevel

    rows = profile.summaries()
    if config.get("cert_profiles_json"):
        out(
            json.dumps(
                [{"name": n, "description": d, "verified": v, "error": e} for n, d, v, e in rows], indent=1
            )
        )
        return 0 if all(e is None for *_x, e in rows) else 2
    width = max((len(n) for n, *_ in rows), default=4)
    status = 0
    for name, description, verified, error in rows:
        if error:
            out(f"{name:<{width}}  INVALID: {error}")
            status = 2
        else:
            mark = "" if verified else " [unverified]"
            out(f"{name:<{width}}  {description}{mark}")
    return status
