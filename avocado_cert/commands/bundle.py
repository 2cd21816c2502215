"""`avocado cert bundle JOB_DIR|latest --key KEY -o FILE`: a signed result bundle of a certification job."""

import os

from avocado_cert.base.errors import CertError
from avocado_cert.offline import bundle, signing

NAME = "bundle"
HELP = "Bundle a certification job: results, report, environment, profile, criteria, suite hash, signature"


def configure(parser):
    parser.add_argument("cert_bundle_job", metavar="JOB_DIR", help="A job results directory, or 'latest'")
    parser.add_argument(
        "--key", dest="cert_bundle_key", metavar="KEY", required=True, help="Private key (keygen)"
    )
    parser.add_argument(
        "-o",
        "--output",
        dest="cert_bundle_output",
        metavar="FILE",
        required=True,
        help="Bundle to write (.tar.gz)",
    )


def job_dir(ref, config):
    """A job directory from a path or 'latest' (the newest job of the configured results folder)."""
    if ref != "latest" or os.path.exists(ref):
        return ref
    logs = config.get("datadir.paths.logs_dir") or os.path.expanduser("~/avocado/job-results")
    latest = os.path.join(os.path.expanduser(logs), "latest")
    if not os.path.isdir(latest):
        raise CertError("no latest job (run a job first, or name its directory)", logs)
    return os.path.realpath(latest)


def run(config, out):
    directory = job_dir(config.get("cert_bundle_job"), config)
    key = signing.load_private(config.get("cert_bundle_key"))
    output = config.get("cert_bundle_output")
    manifest = bundle.build(directory, key, output)
    out(f"bundle: {output}")
    out(f"job {manifest['job']['id'][:12]}: {manifest['job']['verdict']}, {len(manifest['files'])} files")
    out(f"suite {manifest['suite']['version']} sha256 {manifest['suite']['sha256']}")
    out(f"signed by key id {manifest['signer']}")
    return 0
