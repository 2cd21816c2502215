"""`avocado cert coverage`: which public libvirt functions the certification tests check, and why the
others are not checked (not certifiable on one host, or no test yet)."""

import json
import os

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
        "--job",
        dest="cert_coverage_job",
        metavar="JOB_DIR",
        default=None,
        help="With --profile: the job whose results say what the driver answered "
        "(default: the newest job of that profile in the job results folder)",
    )
    parser.add_argument(
        "--api-xml",
        dest="cert_coverage_api_xml",
        metavar="PATH",
        default=None,
        help="libvirt-api.xml to measure against, or a shipped snapshot's version "
        "(default: the installed one, else the newest snapshot under data/api)",
    )


def _answers(config):
    """What the profile's driver answered in its job (--job, else its newest), or None without a job."""
    from avocado_cert.report import driver_answers  # pylint: disable=import-outside-toplevel

    name = config.get("cert_coverage_profile")
    job = config.get("cert_coverage_job")
    if job and not name:
        raise CertError("--job: needs --profile (whose driver's answers to read)")
    if not name:
        return None
    if not job:
        logs = os.path.expanduser(config.get("datadir.paths.logs_dir") or "~/avocado/job-results")
        job = driver_answers.newest_job(name, logs)
        if job is None:
            return {"profile": name, "job": None, "logs": logs}
    return driver_answers.collect(job, name)


def run(config, out):
    from avocado_cert.apisurface import coverage  # pylint: disable=import-outside-toplevel
    from avocado_cert.report import driver_answers  # pylint: disable=import-outside-toplevel

    required = config.get("cert_coverage_require")
    required = _percent(required) if required is not None else None
    report = coverage.compute(
        profile_name=config.get("cert_coverage_profile"),
        api_xml=config.get("cert_coverage_api_xml"),
    )
    answers = _answers(config)
    if answers is not None:
        report["driver_answers"] = answers
    if config.get("cert_coverage_format") == "json":
        out(json.dumps(report, indent=1, sort_keys=True))
    else:
        out(coverage.render_text(report))
        if answers is not None and answers["job"] is None:
            out(
                f"\nNo job of profile '{answers['profile']}' under {answers['logs']}: run it first, or name one with --job."
            )
        elif answers is not None:
            out("\n" + driver_answers.render_text(answers))
    percent = report["summary"]["percent"]
    if required is not None and percent < required:
        raise CertError(f"coverage {percent}% is below the required {required:g}%")
    return 0
