"""`avocado cert upload FILE --server URL --token T [--product P --product-version V]`: submit a bundle
to a catalog, which verifies it against the vendor's registered key, re-scores and publishes it. The
product and version default to the bundle's signed origin (the catalog takes it for no other)."""

import json

from avocado_cert.base.errors import CertError

NAME = "upload"
HELP = "Upload a result bundle to a certification catalog, which verifies, re-scores and publishes it"
REJECTED = 1


def configure(parser):
    parser.add_argument("cert_upload_bundle", metavar="FILE", help="The bundle (.tar.gz)")
    parser.add_argument(
        "--server", dest="cert_upload_server", metavar="URL", required=True, help="The catalog"
    )
    parser.add_argument(
        "--token", dest="cert_upload_token", metavar="T", required=True, help="Your API token"
    )
    parser.add_argument(
        "--product", dest="cert_upload_product", metavar="P", help="Product slug (default: the bundle's)"
    )
    parser.add_argument(
        "--product-version",
        dest="cert_upload_version",
        metavar="V",
        help="The product's version this bundle certifies (registered on the way if new; default: the bundle's)",
    )
    parser.add_argument(
        "--vendor",
        dest="cert_upload_vendor",
        metavar="VENDOR",
        help="Vendor slug (default: the token's vendor)",
    )
    parser.add_argument(
        "--json", dest="cert_upload_json", action="store_true", help="Machine-readable output"
    )


def signed_origin(path):
    """The origin signed in a bundle's manifest ({} when it names none or cannot be read here: the
    catalog says why)."""
    from avocado_cert.offline import bundle, safetar  # pylint: disable=import-outside-toplevel

    try:
        _members, kept = safetar.scan(path, keep=lambda name: name == bundle.MANIFEST)
        found = json.loads(kept[bundle.MANIFEST]).get("origin")
    except (CertError, KeyError, ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}


def run(config, out):
    from avocado_cert.catalog.client import Client  # pylint: disable=import-outside-toplevel

    client = Client(config.get("cert_upload_server"), config.get("cert_upload_token"))
    origin = signed_origin(config.get("cert_upload_bundle"))
    vendor = config.get("cert_upload_vendor")  # else the token's: the catalog checks the bundle names it
    product = config.get("cert_upload_product") or origin.get("product")
    version = config.get("cert_upload_version") or origin.get("version")
    if not product or not version:
        raise CertError("the bundle names no product and version: give --product and --product-version")
    if not vendor:
        vendor = client.json("GET", "/api/v1/whoami").get("vendor")
        if not vendor:
            raise CertError("this token's account belongs to no vendor: name one with --vendor")
    status, answer = client.upload(config.get("cert_upload_bundle"), vendor, product, version)
    if config.get("cert_upload_json"):
        out(json.dumps(answer, indent=1, sort_keys=True))
        return 0 if status in (200, 201) else REJECTED
    if status == 422:
        out(f"REJECTED: {answer.get('error')}")
        for rule in answer.get("rules") or []:
            out(f"  FAIL  {rule['name']:<12} {rule['detail']}")
        return REJECTED
    if status not in (200, 201):
        raise CertError(f"the catalog answered {status}: {answer.get('error', 'no details')}")
    state = "accepted" if answer.get("created") else "already uploaded (nothing changed)"
    out(
        f"{state}: certification {answer['id']} of {answer['vendor']}/{answer['product']} {answer['version']}"
    )
    out(f"status {answer['status']}, verdict {answer['verdict']} (criteria {answer['criteria_version']})")
    out(f"{client.base}/certifications/{answer['id']}")
    return 0
