"""`avocado cert fetch-config --server URL -o DIR`: the criteria, profiles and released suites a
catalog checks bundles against, written as criteria/VERSION.yaml, profiles/NAME.yaml, releases.yaml."""

import os

from avocado_cert.base.datafile import sha256_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.catalog.client import Client

NAME = "fetch-config"
HELP = "Download a catalog's published criteria, profiles and released suite hashes"


def configure(parser):
    parser.add_argument(
        "--server", dest="cert_fetch_server", metavar="URL", required=True, help="The catalog"
    )
    parser.add_argument(
        "-o", "--output", dest="cert_fetch_output", metavar="DIR", required=True, help="Folder to write into"
    )


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temp = path + ".part"
    with open(temp, "wb") as out:
        out.write(data)
    os.replace(temp, path)


def _safe(name):
    if not name or "/" in name or name.startswith(".") or "\\" in name:
        raise CertError(f"the catalog published an unsafe file name {name!r}")
    return name


def run(config, out):
    client = Client(config.get("cert_fetch_server"))
    folder = config.get("cert_fetch_output")
    document = client.json("GET", "/api/v1/config")
    newest_profile = {}
    for entry in document.get("profiles", []):
        newest_profile[entry["name"]] = entry  # listed oldest first: the last one is current
    wanted = [("criteria", e["version"], e) for e in document.get("criteria", [])]
    wanted += [("profiles", name, e) for name, e in sorted(newest_profile.items())]
    for kind, name, entry in wanted:
        path = str(entry.get("path", ""))
        if not path.startswith("/api/v1/config/"):
            raise CertError(f"the catalog published an unexpected location for {kind} {name}: {path!r}")
        data = client.raw(path)
        if sha256_bytes(data) != entry["sha256"]:
            raise CertError(f"{kind} {name}: the file does not match its published sha256")
        _write(os.path.join(folder, kind, f"{_safe(name)}.yaml"), data)
        out(f"{kind}/{name}.yaml  sha256 {entry['sha256'][:16]}")
    _write(os.path.join(folder, "releases.yaml"), client.raw("/api/v1/config/releases.yaml"))
    out(f"releases.yaml  {len(document.get('releases', []))} released suite(s)")
    out(
        f"verify offline against it: avocado cert verify FILE --pubkey PUB --releases {folder}/releases.yaml "
        f"--criteria-dir {folder}/criteria"
    )
    return 0
