"""`avocado cert coverage`: which public libvirt functions the certification tests check, and why the
others are not checked (not certifiable on one host, or no test yet)."""

import json

from avocado_cert.apisurface import coverage
from avocado_cert.base.errors import CertError

NAME = "coverage"
HELP = "API coverage of the certification tests (libvirt-api.xml vs. the tests' api: tags)"


def _percent(text):
    try:
        value = float(text)
    except ValueError:
        raise CertError(f"--require: expected a percentage, got {text!r}") from None
    if not 0 <= value <= 100:
        raise CertError(f"--require: {value:g} is not between 0 and 100")
    return value


def configure(parser):
    parser.add_argument(
        "--profile",
        dest="cert_coverage_profile",
        metavar="NAME",
        default=None,
        help="Only the tests of this profile's areas (default: every test under tests/)",
    )
    parser.add_argument(
        "--format",
        dest="cert_coverage_format",
        choices=("text", "json"),
        default="text",
        help="text: one screen per module; json: everything",
    )
    parser.add_argument(
        "--require",
        dest="cert_coverage_require",
        metavar="PCT",
        default=None,
        help="Exit non-zero when less than PCT%% of the certifiable functions are covered",
    )
    parser.add_argument(
        "--api-xml",
        dest="cert_coverage_api_xml",
        metavar="PATH",
        default=None,
        help="libvirt-api.xml to measure against, or a shipped snapshot's version "
        "(default: the installed one, else the newest snapshot under data/api)",
    )


def run(config, out):
    required = config.get("cert_coverage_require")
    required = _percent(required) if required is not None else None
    report = coverage.compute(
        profile_name=config.get("cert_coverage_profile"),
        api_xml=config.get("cert_coverage_api_xml"),
    )
    if config.get("cert_coverage_format") == "json":
        out(json.dumps(report, indent=1, sort_keys=True))
    else:
        out(coverage.render_text(report))
    percent = report["summary"]["percent"]
    if required is not None and percent < required:
        raise CertError(f"coverage {percent}% is below the required {required:g}%")
    return 0
