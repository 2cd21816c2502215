"""The suite's own identity: a SHA-256 over every certification test file and the package version,
and the list of released suites (data/releases.yaml) a bundle's suite hash must be one of.

The hash is over a text listing, one "<sha256 of the file>  <relative path>" line per file in
sorted path order, then "version <VERSION>": anyone holding the per-file hashes can recompute it.
"""

import datetime
import hashlib
import os
import re

from avocado_cert.base import paths
from avocado_cert.base.datafile import Field, check_mapping, load_yaml
from avocado_cert.base.errors import CertError
from avocado_cert.version import VERSION

SKIPPED_DIRS = ("__pycache__",)
SKIPPED_SUFFIXES = (".pyc", ".pyo")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
RELEASE_FIELDS = {
    "version": Field(str, required=True),
    "sha256": Field(str, required=True),
    "released": Field(datetime.date, default=None),
}


def suite_files(root=None):
    """Sorted relative POSIX paths of the suite's regular files (no caches, no links)."""
    root = root or paths.suite_dir()
    found = []
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIPPED_DIRS and not os.path.islink(os.path.join(top, d))
        )
        for name in files:
            full = os.path.join(top, name)
            if name.endswith(SKIPPED_SUFFIXES) or os.path.islink(full) or not os.path.isfile(full):
                continue
            found.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(found)


def digest(file_hashes, version):
    """The suite hash of {relative path: sha256} and a package version."""
    listing = "".join(f"{file_hashes[rel]}  {rel}\n" for rel in sorted(file_hashes))
    listing += f"version {version}\n"
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def snapshot(root=None, version=VERSION):
    """(description, {relative path: content}) of the suite as it is on disk now."""
    root = root or paths.suite_dir()
    contents = {}
    for rel in suite_files(root):
        with open(os.path.join(root, rel), "rb") as src:
            contents[rel] = src.read()
    hashes = {rel: hashlib.sha256(data).hexdigest() for rel, data in contents.items()}
    description = {
        "name": "avocado-cert",
        "version": version,
        "root": os.path.abspath(root),
        "sha256": digest(hashes, version),
        "files": hashes,
    }
    return description, contents


def releases_path():
    return paths.data_path("releases.yaml")


def load_releases(path=None):
    """{suite sha256: version} of the released suites listed in a releases file."""
    path = path or releases_path()
    document, _raw = load_yaml(path, "release list")
    entries = document.get("releases")
    if not isinstance(entries, list):
        raise CertError("releases: expected a list of entries with version and sha256", path)
    released = {}
    for position, entry in enumerate(entries):
        data = check_mapping(entry, RELEASE_FIELDS, f"releases[{position}]", path)
        if not SHA256_RE.match(data["sha256"]):
            raise CertError(f"releases[{position}].sha256: expected 64 lowercase hex digits", path)
        released[data["sha256"]] = data["version"]
    return released
