"""The origin of a result: the vendor, product and product version a bundle is submitted for, and
who ran it (mode). It is part of the signed manifest, so a bundle cannot be moved to another vendor's
product without a new signature, and a catalog accepts a signature only from that vendor's keys.

    origin = {"vendor": "acme", "product": "virt-stack", "version": "2.1", "mode": "offline"}

Mode "offline" is a vendor's own run (the default); "centralized" is reserved for the community lab,
and a catalog accepts it only from a key registered as the lab's.
"""

import re

from avocado_cert.base.datafile import load_yaml
from avocado_cert.base.errors import CertError

OFFLINE = "offline"
CENTRALIZED = "centralized"
MODES = (OFFLINE, CENTRALIZED)
FIELDS = ("vendor", "product", "version")
# The catalog's own spelling of slugs and versions: a bundle names what it can be uploaded to.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
PATTERNS = {"vendor": SLUG_RE, "product": SLUG_RE, "version": VERSION_RE}
FLAGS = {"vendor": "--vendor", "product": "--product", "version": "--product-version"}


def problems(origin):
    """What is wrong with a manifest's origin (a list of one-line problems; empty when well-formed)."""
    if not isinstance(origin, dict):
        return ["the origin is not a mapping"]
    found = []
    for key in FIELDS:
        value = origin.get(key)
        if not isinstance(value, str) or not PATTERNS[key].match(value):
            found.append(f"the origin's {key} {value!r} is not a valid {key}")
    if origin.get("mode") not in MODES:
        found.append(f"the origin's mode {origin.get('mode')!r} is not one of {', '.join(MODES)}")
    unknown = sorted(set(origin) - set(FIELDS) - {"mode"})
    if unknown:
        found.append(f"the origin has unknown fields: {', '.join(map(str, unknown))}")
    return found


def make(vendor=None, product=None, version=None, mode=None, config=None):
    """The origin of a new bundle from the given values, each falling back to the config file's
    (a YAML mapping with vendor, product, version and optionally mode); None when nothing is given."""
    values = {"vendor": vendor, "product": product, "version": version, "mode": mode}
    if config:
        document, _raw = load_yaml(config, "origin file")
        unknown = sorted(set(document) - set(values))
        if unknown:
            raise CertError(
                f"unknown field(s) {', '.join(map(str, unknown))} (expected {', '.join(values)})", config
            )
        for key, value in document.items():
            if values[key] is None and value is not None:
                values[key] = str(value)
    if all(values[key] is None for key in FIELDS):
        if values["mode"] not in (None, OFFLINE):
            raise CertError("a bundle for the lab (mode centralized) needs its vendor, product and version")
        return None
    missing = [FLAGS[key] for key in FIELDS if not values[key]]
    if missing:
        raise CertError(
            f"the origin is incomplete: give {', '.join(missing)} too (a bundle names the vendor, the "
            "product and the version it is submitted for, or none of them)"
        )
    values["mode"] = values["mode"] or OFFLINE
    found = problems(values)
    if found:
        raise CertError(found[0])
    return values


def describe(origin):
    if not origin:
        return "not bound to a vendor (no vendor, product and version were signed)"
    return f"{origin['vendor']}/{origin['product']} {origin['version']} ({origin['mode']})"
