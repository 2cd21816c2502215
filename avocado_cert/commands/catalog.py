"""`avocado cert catalog serve|admin ...`: run the certification catalog service and administer it."""

import getpass
import os

from avocado_cert.base.errors import CertError

NAME = "catalog"
HELP = "The certification catalog service: serve it, administer its register and published configuration"
ENV_DATABASE = "AVOCADO_CERT_CATALOG_DB"
ENV_PASSWORD = "AVOCADO_CERT_CATALOG_PASSWORD"
DEFAULT_STORAGE = "catalog-data"


def _common(parser):
    parser.add_argument(
        "--storage",
        dest="cert_catalog_storage",
        metavar="DIR",
        default=DEFAULT_STORAGE,
        help="Folder of the stored bundles, the secret key and the default SQLite database "
        f"(default: {DEFAULT_STORAGE})",
    )
    parser.add_argument(
        "--database",
        dest="cert_catalog_database",
        metavar="URL",
        help=f"SQLAlchemy database URL, e.g. postgresql+psycopg://USER@HOST/DB (default: ${ENV_DATABASE}, "
        "else SQLite in the storage folder)",
    )


ADMIN_ACTIONS = {
    "init": (
        [],
        "Create or migrate the database and publish this installation's criteria, profiles and releases",
    ),
    "publish-criteria": (["FILE"], "Publish a criteria file (a published version never changes)"),
    "publish-profile": (["FILE"], "Publish a profile file"),
    "publish-release": (["VERSION", "SHA256"], "Publish a released suite hash"),
    "publish-this-suite": ([], "Publish this installation's suite (version and hash) as released"),
    "create-admin": (["USERNAME"], "Create an administrator account; prints its API token"),
    "create-vendor": (["SLUG", "NAME"], "Register a vendor"),
    "create-account": (["USERNAME", "VENDOR"], "Create a vendor's account; prints its API token"),
    "add-key": (["VENDOR", "PUBKEY"], "Register a vendor's public signing key (KEY.pub of keygen)"),
    "token": (["USERNAME"], "Create a new API token for an account"),
}


def configure(parser):
    actions = parser.add_subparsers(dest="cert_catalog_action", metavar="action")
    actions.required = True
    serve = actions.add_parser("serve", help="Run the service (gunicorn)")
    _common(serve)
    serve.add_argument(
        "--bind", dest="cert_catalog_bind", default="127.0.0.1:8080", help="HOST:PORT to listen on"
    )
    serve.add_argument("--workers", dest="cert_catalog_workers", type=int, default=2, help="Worker processes")
    serve.add_argument(
        "--threads", dest="cert_catalog_threads", type=int, default=4, help="Threads per worker"
    )
    serve.add_argument(
        "--max-upload-mb",
        dest="cert_catalog_max_upload",
        type=int,
        default=256,
        help="Largest bundle accepted",
    )
    serve.add_argument(
        "--review",
        dest="cert_catalog_review",
        action="store_true",
        help="Verified certifications wait for an administrator to publish them",
    )
    serve.add_argument("--access-log", dest="cert_catalog_access_log", metavar="FILE", help="'-' for stdout")
    admin = actions.add_parser("admin", help="Administer the register and the published configuration")
    _common(admin)
    what = admin.add_subparsers(dest="cert_catalog_admin", metavar="command")
    what.required = True
    for name, (args, text) in ADMIN_ACTIONS.items():
        sub = what.add_parser(name, help=text)
        for arg in args:
            sub.add_argument(f"cert_catalog_arg_{arg.lower()}", metavar=arg)
        if name in ("create-admin", "create-account"):
            sub.add_argument(
                "--password",
                dest="cert_catalog_password",
                action="store_true",
                help=f"Also set a password for the web pages (asked, or ${ENV_PASSWORD})",
            )
        if name == "create-vendor":
            sub.add_argument("--contact", dest="cert_catalog_contact", default="", help="Contact e-mail")
            sub.add_argument("--url", dest="cert_catalog_url", default="", help="Web site")


def _settings(config, **extra):
    from avocado_cert.catalog.app import Settings  # pylint: disable=import-outside-toplevel

    return Settings(
        database_url=config.get("cert_catalog_database") or os.environ.get(ENV_DATABASE, ""),
        storage=os.path.abspath(config.get("cert_catalog_storage") or DEFAULT_STORAGE),
        **extra,
    )


def _password(config):
    if not config.get("cert_catalog_password"):
        return None
    return os.environ.get(ENV_PASSWORD) or getpass.getpass("password: ")


def _arg(config, name):
    return config.get(f"cert_catalog_arg_{name}")


def _admin(config, out):
    from avocado_cert.catalog.admin import Admin  # pylint: disable=import-outside-toplevel

    admin = Admin(_settings(config))
    action = config.get("cert_catalog_admin")
    if action == "init":
        added = admin.init()
        out("catalog ready" + (": published " + ", ".join(added) if added else ""))
    elif action == "publish-criteria":
        version, sha, added = admin.publish_criteria(_arg(config, "file"))
        out(f"criteria {version} sha256 {sha}" + ("" if added else " (already published)"))
    elif action == "publish-profile":
        name, sha, added = admin.publish_profile(_arg(config, "file"))
        out(f"profile {name} sha256 {sha}" + ("" if added else " (already published)"))
    elif action == "publish-release":
        added = admin.publish_release(_arg(config, "version"), _arg(config, "sha256"))
        out("release published" if added else "already published")
    elif action == "publish-this-suite":
        version, sha, added = admin.publish_this_suite()
        out(f"suite {version} sha256 {sha}" + ("" if added else " (already published)"))
    elif action == "create-admin":
        out(admin.create_account(_arg(config, "username"), _password(config), admin=True))
    elif action == "create-vendor":
        slug = admin.create_vendor(
            _arg(config, "slug"),
            _arg(config, "name"),
            config.get("cert_catalog_contact"),
            config.get("cert_catalog_url"),
        )
        out(f"vendor {slug} registered")
    elif action == "create-account":
        out(admin.create_account(_arg(config, "username"), _password(config), vendor=_arg(config, "vendor")))
    elif action == "add-key":
        out(f"key id {admin.add_key(_arg(config, 'vendor'), _arg(config, 'pubkey'))}")
    elif action == "token":
        out(admin.token(_arg(config, "username")))
    else:
        raise CertError(f"unknown admin command {action}")
    return 0


def run(config, out):
    try:
        import flask  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        raise CertError(
            "the catalog needs its extra dependencies: pip install 'avocado-cert[catalog]'"
        ) from None
    if config.get("cert_catalog_action") == "admin":
        return _admin(config, out)
    from avocado_cert.catalog.server import serve  # pylint: disable=import-outside-toplevel

    settings = _settings(
        config,
        max_upload_bytes=config.get("cert_catalog_max_upload") * (1 << 20),
        auto_publish=not config.get("cert_catalog_review"),
    )
    out(f"catalog: http://{config.get('cert_catalog_bind')}/ (storage {settings.storage})")
    serve(
        settings,
        bind=config.get("cert_catalog_bind"),
        workers=config.get("cert_catalog_workers"),
        threads=config.get("cert_catalog_threads"),
        access_log=config.get("cert_catalog_access_log"),
    )
    return 0
