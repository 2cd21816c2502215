"""`avocado cert extract FILE -o DIR`: unpack a bundle (logs and all) after checking every member."""

import os

from avocado_cert.base.errors import CertError

NAME = "extract"
HELP = "Unpack a result bundle into a new folder, refusing unsafe members before writing anything"


def configure(parser):
    parser.add_argument("cert_extract_bundle", metavar="FILE", help="The bundle (.tar.gz)")
    parser.add_argument(
        "-o", "--output", dest="cert_extract_output", metavar="DIR", required=True, help="Folder to create"
    )


def _missing_folders(dest):
    """The folders extraction will create (dest and its missing parents), outermost first; refused
    when the nearest existing one is not a folder."""
    missing = []
    path = os.path.abspath(dest)
    while not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    if path != os.path.abspath(dest) and not os.path.isdir(path):
        raise CertError(f"{path} is not a folder: cannot create a folder in it", dest)
    return list(reversed(missing))


def _remove(created):
    for path in reversed(created):
        try:
            os.rmdir(path)
        except OSError:
            pass  # not ours to empty: safetar removes what it wrote


def run(config, out):
    from avocado_cert.offline import safetar  # pylint: disable=import-outside-toplevel

    dest = config.get("cert_extract_output")
    created = _missing_folders(dest)
    try:
        members = safetar.extract(config.get("cert_extract_bundle"), dest)
    except OSError as details:
        _remove(created)
        raise CertError(f"cannot create the folder: {details.strerror}", dest) from None
    except CertError:
        _remove(created)
        raise
    out(f"extracted {len(members)} files into {dest} (not verified: run `avocado cert verify` for that)")
    return 0
