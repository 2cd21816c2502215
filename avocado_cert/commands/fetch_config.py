"""`avocado cert fetch-config --server URL -o DIR`: the criteria, profiles and released suites a
catalog checks bundles against, written as criteria/VERSION.yaml, profiles/NAME.yaml, releases.yaml.
Everything is downloaded and checked before the first file is written; a failed write removes what
this command wrote."""

import os

from avocado_cert.base.datafile import sha256_bytes
from avocado_cert.base.errors import CertError

NAME = "fetch-config"
HELP = "Download a catalog's published criteria, profiles and released suite hashes"


def configure(parser):
    parser.add_argument(
        "--server", dest="cert_fetch_server", metavar="URL", required=True, help="The catalog"
    )
    parser.add_argument(
        "-o", "--output", dest="cert_fetch_output", metavar="DIR", required=True, help="Folder to write into"
    )


def _safe(name):
    if not isinstance(name, str) or not name or "/" in name or name.startswith(".") or "\\" in name:
        raise CertError(f"the catalog published an unsafe file name {name!r}")
    return name


def _document(client):
    """The catalog's configuration index, refusing an answer that is not one."""
    try:
        document = client.json("GET", "/api/v1/config")
    except CertError as details:
        if "cannot reach" in str(details):
            raise
        raise CertError(f"{details} (is {client.base} a certification catalog?)") from None
    if not isinstance(document, dict) or not all(
        isinstance(document.get(key, []), list) for key in ("criteria", "profiles", "releases")
    ):
        raise CertError(f"{client.base} did not answer as a certification catalog (no configuration index)")
    return document


def _download(client, document):
    """[(relative path, bytes, line to print)] of everything to write, each checked."""
    newest_profile = {}
    for entry in document.get("profiles", []):
        newest_profile[entry["name"]] = entry  # listed oldest first: the last one is current
    wanted = [("criteria", e["version"], e) for e in document.get("criteria", [])]
    wanted += [("profiles", name, e) for name, e in sorted(newest_profile.items())]
    files = []
    for kind, name, entry in wanted:
        path = str(entry.get("path", ""))
        if not path.startswith("/api/v1/config/"):
            raise CertError(f"the catalog published an unexpected location for {kind} {name}: {path!r}")
        data = client.raw(path)
        if sha256_bytes(data) != entry["sha256"]:
            raise CertError(f"{kind} {name}: the file does not match its published sha256")
        files.append(
            (f"{kind}/{_safe(name)}.yaml", data, f"{kind}/{name}.yaml  sha256 {entry['sha256'][:16]}")
        )
    releases = client.raw("/api/v1/config/releases.yaml")
    files.append(
        ("releases.yaml", releases, f"releases.yaml  {len(document.get('releases', []))} released suite(s)")
    )
    return files


def _write_all(folder, files):
    """Write the files under folder; on failure remove what was written and the folders made."""
    made, written = [], []
    try:
        for rel, data, _line in files:
            target = os.path.join(folder, *rel.split("/"))
            parent = os.path.dirname(target)
            missing = []
            while not os.path.isdir(parent):
                if os.path.lexists(parent):
                    raise CertError(f"{parent} is not a folder", folder)
                missing.append(parent)
                parent = os.path.dirname(parent)
            for path in reversed(missing):
                os.mkdir(path)
                made.append(path)
            temp = target + ".part"
            with open(temp, "wb") as out:
                written.append(temp)
                out.write(data)
            os.replace(temp, target)
            written[-1] = target
    except (OSError, CertError) as details:
        for path in written:
            if os.path.lexists(path):
                os.unlink(path)
        for path in reversed(made):
            os.rmdir(path)
        if isinstance(details, CertError):
            raise
        raise CertError(f"cannot write the configuration: {details.strerror}", folder) from None


def run(config, out):
    from avocado_cert.catalog.client import Client  # pylint: disable=import-outside-toplevel

    client = Client(config.get("cert_fetch_server"))
    folder = config.get("cert_fetch_output")
    nearest = os.path.abspath(folder)
    while not os.path.lexists(nearest):
        nearest = os.path.dirname(nearest)
    if not os.path.isdir(nearest):
        raise CertError(f"{nearest} is not a folder: cannot write the configuration in it", folder)
    files = _download(client, _document(client))
    _write_all(folder, files)
    for _rel, _data, line in files:
        out(line)
    out(
        f"verify offline against it: avocado cert verify FILE --pubkey PUB --releases {folder}/releases.yaml "
        f"--criteria-dir {folder}/criteria"
    )
    return 0
