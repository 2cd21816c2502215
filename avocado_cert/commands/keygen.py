"""`avocado cert keygen`: a new Ed25519 key pair for signing bundles (KEY, 0600, and KEY.pub)."""

NAME = "keygen"
HELP = "Create an Ed25519 key pair for signing result bundles"


def configure(parser):
    parser.add_argument(
        "-o",
        "--output",
        dest="cert_keygen_output",
        metavar="KEY",
        required=True,
        help="Private key file to create (mode 0600); the public key goes to KEY.pub",
    )


def run(config, out):
    from avocado_cert.offline import signing  # pylint: disable=import-outside-toplevel

    path = config.get("cert_keygen_output")
    key_id = signing.generate(path)
    out(f"private key: {path} (keep it secret, mode 0600)")
    out(f"public key:  {path}{signing.PUBLIC_SUFFIX}")
    out(f"key id:      {key_id}")
    return 0
