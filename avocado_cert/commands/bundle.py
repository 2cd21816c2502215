"""`avocado cert bundle JOB_DIR|latest --key KEY -o FILE --vendor V --product P --product-version N`:
a signed result bundle of a certification job, bound to the vendor's product version it is for."""

import os

from avocado_cert.base import lastjob
from avocado_cert.base.errors import CertError

NAME = "bundle"
HELP = "Bundle a certification job: results, report, environment, profile, criteria, suite hash, signature"


def configure(parser):
    from avocado_cert.offline import origin as origins  # pylint: disable=import-outside-toplevel

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
        help="Bundle to write (.tar.gz); an existing file is replaced only with --force",
    )
    parser.add_argument(
        "--force", dest="cert_bundle_force", action="store_true", help="Replace FILE if it exists"
    )
    parser.add_argument(
        "--job-results-dir",
        dest="cert_bundle_results",
        metavar="DIR",
        help="The results folder the run used: 'latest' is its newest job",
    )
    group = parser.add_argument_group("origin (signed: the catalog takes the bundle only for it)")
    group.add_argument("--vendor", dest="cert_bundle_vendor", metavar="SLUG", help="Your vendor slug")
    group.add_argument("--product", dest="cert_bundle_product", metavar="SLUG", help="The product slug")
    group.add_argument(
        "--product-version", dest="cert_bundle_version", metavar="V", help="The product version it certifies"
    )
    group.add_argument(
        "--mode",
        dest="cert_bundle_mode",
        choices=origins.MODES,
        help="offline (default): your own run; centralized: the community lab's (its key only)",
    )
    group.add_argument(
        "--origin",
        dest="cert_bundle_origin",
        metavar="FILE",
        help="YAML file with vendor, product, version (and mode); the options above override it",
    )


def job_dir(ref, config):
    """A job directory from a path or 'latest': the newest job of --job-results-dir, else the last
    certification run's (wherever it wrote), else the newest of the configured results folder."""
    if ref != "latest" or os.path.exists(ref):
        return ref
    results = config.get("cert_bundle_results")
    if results:
        if not os.path.isdir(results):
            raise CertError("--job-results-dir: not a folder", results)
        latest = os.path.join(results, "latest")
        if not os.path.isdir(latest):
            raise CertError("no latest job in this results folder", results)
        return os.path.realpath(latest)
    last = lastjob.recorded()
    if last:
        return last
    logs = config.get("datadir.paths.logs_dir") or os.path.expanduser("~/avocado/job-results")
    latest = os.path.join(os.path.expanduser(logs), "latest")
    if not os.path.isdir(latest):
        raise CertError("no latest job (run a job first, or name its directory)", logs)
    return os.path.realpath(latest)


def origin_of(config):
    from avocado_cert.offline import origin as origins  # pylint: disable=import-outside-toplevel

    return origins.make(
        config.get("cert_bundle_vendor"),
        config.get("cert_bundle_product"),
        config.get("cert_bundle_version"),
        config.get("cert_bundle_mode"),
        config.get("cert_bundle_origin"),
    )


def run(config, out):
    from avocado_cert.offline import bundle  # pylint: disable=import-outside-toplevel
    from avocado_cert.offline import signing  # pylint: disable=import-outside-toplevel
    from avocado_cert.offline import origin as origins  # pylint: disable=import-outside-toplevel

    origin = origin_of(config)
    directory = job_dir(config.get("cert_bundle_job"), config)
    key = signing.load_private(config.get("cert_bundle_key"))
    output = config.get("cert_bundle_output")
    manifest = bundle.build(directory, key, output, origin=origin, force=config.get("cert_bundle_force"))
    out(f"bundle: {output}")
    out(f"job {manifest['job']['id'][:12]}: {manifest['job']['verdict']}, {len(manifest['files'])} files")
    out(f"suite {manifest['suite']['version']} sha256 {manifest['suite']['sha256']}")
    out(f"origin: {origins.describe(origin)}")
    if origin is None:
        out("a catalog takes only bundles bound to a vendor: give --vendor, --product, --product-version")
    out(f"signed by key id {manifest['signer']}")
    return 0
