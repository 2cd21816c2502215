"""`avocado cert catalog serve|admin ...`: run the certification catalog service and administer it."""

import argparse
import getpass
import os
import sys

from avocado_cert.base.errors import CertError
from avocado_cert.report import exitcodes

NAME = "catalog"
HELP = "The certification catalog service: serve it, administer its register and published configuration"
ENV_DATABASE = "AVOCADO_CERT_CATALOG_DB"
ENV_PASSWORD = "AVOCADO_CERT_CATALOG_PASSWORD"
DEFAULT_STORAGE = "catalog-data"
MAX_UPLOAD_MB = 2047  # a bundle's size is an INTEGER column


def _common(parser, nested=False):
    """--storage and --database; an admin command takes them after its name too (nested: they then
    keep the value given before the name unless given again)."""
    parser.add_argument(
        "--storage",
        dest="cert_catalog_storage",
        metavar="DIR",
        default=argparse.SUPPRESS if nested else DEFAULT_STORAGE,
        help="Folder of the stored bundles, the secret key, the security log and the default SQLite "
        f"database (default: {DEFAULT_STORAGE})",
    )
    parser.add_argument(
        "--database",
        dest="cert_catalog_database",
        metavar="URL",
        default=argparse.SUPPRESS if nested else None,
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
    "disable-account": (["USERNAME"], "Disable an account: its sessions end, its API tokens are revoked"),
    "enable-account": (["USERNAME"], "Enable a disabled account again (it needs a new token)"),
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
        help=f"Largest bundle accepted, in MiB (1 to {MAX_UPLOAD_MB}; every other request body: 1 MiB)",
    )
    serve.add_argument(
        "--security-log",
        dest="cert_catalog_security_log",
        metavar="FILE",
        help="Where failed sign-ins, rejected tokens and uploads and administrative decisions are "
        "logged ('-' for standard error; default: security.log in the storage folder)",
    )
    serve.add_argument(
        "--review",
        dest="cert_catalog_review",
        action="store_true",
        help="Verified certifications wait for an administrator to publish them",
    )
    serve.add_argument(
        "--secure-cookies",
        dest="cert_catalog_secure_cookies",
        action="store_true",
        help="Send the session cookie over HTTPS only (set it behind an HTTPS reverse proxy)",
    )
    serve.add_argument("--access-log", dest="cert_catalog_access_log", metavar="FILE", help="'-' for stdout")
    admin = actions.add_parser("admin", help="Administer the register and the published configuration")
    _common(admin)
    what = admin.add_subparsers(dest="cert_catalog_admin", metavar="command")
    what.required = True
    for name, (args, text) in ADMIN_ACTIONS.items():
        sub = what.add_parser(name, help=text)
        _common(sub, nested=True)
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


def _storage(path):
    """The storage folder, created if missing: a file or an uncreatable folder is one line."""
    path = os.path.abspath(path or DEFAULT_STORAGE)
    if os.path.exists(path) and not os.path.isdir(path):
        raise CertError(f"--storage {path}: not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as details:
        raise CertError(f"--storage {path}: cannot create the folder: {details.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise CertError(f"--storage {path}: the folder is not writable")
    return path


def _settings(config, **extra):
    from avocado_cert.catalog.app import Settings  # pylint: disable=import-outside-toplevel

    return Settings(
        database_url=config.get("cert_catalog_database") or os.environ.get(ENV_DATABASE, ""),
        storage=_storage(config.get("cert_catalog_storage")),
        **extra,
    )


def _serve_numbers(config):
    """(workers, threads, max upload MiB), each checked: a nonsense value is one line, exit 2."""
    workers, threads = config.get("cert_catalog_workers"), config.get("cert_catalog_threads")
    upload = config.get("cert_catalog_max_upload")
    if workers is None or workers < 1:
        raise CertError(f"--workers {workers}: at least 1 worker process is needed")
    if threads is None or threads < 1:
        raise CertError(f"--threads {threads}: at least 1 thread per worker is needed")
    if upload is None or not 1 <= upload <= MAX_UPLOAD_MB:
        raise CertError(f"--max-upload-mb {upload}: expected a size from 1 to {MAX_UPLOAD_MB} MiB")
    return workers, threads, upload


def _password(config):
    if not config.get("cert_catalog_password"):
        return None
    return os.environ.get(ENV_PASSWORD) or getpass.getpass("password: ")


def _arg(config, name):
    return config.get(f"cert_catalog_arg_{name}")


def _admin(config, out, settings):
    from avocado_cert.catalog.admin import Admin  # pylint: disable=import-outside-toplevel

    admin = Admin(settings)
    action = config.get("cert_catalog_admin")
    args = [str(_arg(config, name.lower())) for name in ADMIN_ACTIONS[action][0]]  # in command-line order
    admin.app.extensions["catalog"].log.event("admin-command", command=action, args=" ".join(args))
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
    elif action in ("disable-account", "enable-account"):
        admin.set_disabled(_arg(config, "username"), action == "disable-account")
        out(f"account {_arg(config, 'username')} {action.split('-')[0]}d")
    else:
        raise CertError(f"unknown admin command {action}")
    return 0


def _usage(config):
    """The checked arguments: (settings, listening socket, workers, threads) of serve, or the
    settings of admin; a nonsense value raises CertError."""
    if config.get("cert_catalog_action") == "admin":
        return _settings(config)
    from avocado_cert.catalog import server  # pylint: disable=import-outside-toplevel

    workers, threads, upload = _serve_numbers(config)
    server.parse_bind(config.get("cert_catalog_bind"))
    settings = _settings(
        config,
        max_upload_bytes=upload * (1 << 20),
        auto_publish=not config.get("cert_catalog_review"),
        security_log=config.get("cert_catalog_security_log") or "",
        secure_cookies=bool(config.get("cert_catalog_secure_cookies")),
    )
    return settings, server.listen(config.get("cert_catalog_bind")), workers, threads


def run(config, out):
    try:
        import flask  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        raise CertError(
            "the catalog needs its extra dependencies: pip install 'avocado-cert[catalog]'"
        ) from None
    try:
        checked = _usage(config)
    except CertError as details:  # a usage error: exit 2 like every other bad argument
        sys.stderr.write(f"avocado cert catalog: {details}\n")
        return exitcodes.USAGE
    if config.get("cert_catalog_action") == "admin":
        return _admin(config, out, checked)
    from avocado_cert.catalog import server  # pylint: disable=import-outside-toplevel

    settings, sock, workers, threads = checked
    out(f"catalog: {server.url(sock)} (storage {settings.storage}, security log {settings.resolved_log()})")
    server.serve(
        settings, sock, workers=workers, threads=threads, access_log=config.get("cert_catalog_access_log")
    )
    return 0
