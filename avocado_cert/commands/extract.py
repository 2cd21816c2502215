"""`avocado cert extract FILE -o DIR`: unpack a bundle (logs and all) after checking every member."""

from avocado_cert.offline import safetar

NAME = "extract"
HELP = "Unpack a result bundle into a new folder, refusing unsafe members before writing anything"


def configure(parser):
    parser.add_argument("cert_extract_bundle", metavar="FILE", help="The bundle (.tar.gz)")
    parser.add_argument(
        "-o", "--output", dest="cert_extract_output", metavar="DIR", required=True, help="Folder to create"
    )


def run(config, out):
    dest = config.get("cert_extract_output")
    members = safetar.extract(config.get("cert_extract_bundle"), dest)
    out(f"extracted {len(members)} files into {dest} (not verified: run `avocado cert verify` for that)")
    return 0
