"""The catalog service's WSGI application (Flask): create_app(settings) builds it.

Flask was chosen for a server-rendered site: Jinja2 templates with autoescaping, a small WSGI core
served by gunicorn in production, and no client-side code needed for any page."""

import os
import secrets
from dataclasses import dataclass

from flask import Flask, g, jsonify, render_template, request, session
from werkzeug.exceptions import HTTPException

from avocado_cert.base.errors import CertError
from avocado_cert.catalog import auth, db, ingest, register, views_account, views_api, views_public

MIB = 1 << 20
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@dataclass
class Settings:
    database_url: str = ""  # default: SQLite in the storage folder
    storage: str = "catalog-data"
    max_upload_bytes: int = 256 * MIB
    auto_publish: bool = True
    secret_key: str = ""  # default: a random key kept in the storage folder
    secure_cookies: bool = False  # set behind HTTPS

    def resolved_url(self):
        return self.database_url or db.sqlite_url(os.path.join(self.storage, "catalog.db"))


def _secret_key(settings):
    if settings.secret_key:
        return settings.secret_key
    path = os.path.join(settings.storage, "secret.key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as src:
            return src.read().strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(32))
    with open(path, encoding="ascii") as src:
        return src.read().strip()


class Catalog:
    """What the views share: the settings, the database sessions and the upload pipeline."""

    def __init__(self, settings, engine):
        self.settings = settings
        self.engine = engine
        self.sessions = db.session_factory(engine)
        self.ingest = ingest.Ingest(
            self.sessions,
            settings.storage,
            auto_publish=settings.auto_publish,
            max_bytes=settings.max_upload_bytes,
        )


ERRORS = (
    (register.Invalid, 400),
    (CertError, 400),
    (auth.Unauthenticated, 401),
    (auth.Denied, 403),
    (register.NotFound, 404),
    (register.Conflict, 409),
    (ingest.TooLarge, 413),
)


def _is_api():
    return request.path.startswith("/api/")


def _error(status, message):
    if _is_api():
        return jsonify({"error": message}), status
    return render_template("error.html", status=status, message=message), status


def create_app(settings, migrate=True):
    os.makedirs(settings.storage, exist_ok=True)
    engine = db.engine_for(settings.resolved_url())
    if migrate:
        db.upgrade(engine)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="catalog_session",
        JSON_SORT_KEYS=False,
    )
    app.jinja_env.autoescape = True  # every template, whatever its name
    app.extensions["catalog"] = Catalog(settings, engine)

    @app.before_request
    def _open():
        g.db = app.extensions["catalog"].sessions()
        g.actor = None
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            g.actor = auth.account_for_token(g.db, header[len("Bearer ") :].strip())
            if g.actor is None:
                return _error(401, "invalid or revoked API token")
        elif not _is_api() and session.get("account_id"):
            found = g.db.get(register.Account, session["account_id"])
            g.actor = found if found is not None and not found.disabled else None
        return None

    @app.teardown_request
    def _close(_exc):
        store = g.pop("db", None)
        if store is not None:
            store.close()

    @app.after_request
    def _headers(response):
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.context_processor
    def _globals():
        return {"actor": g.get("actor"), "csrf_token": lambda: auth.csrf_token(session)}

    for kind, status in ERRORS:
        app.register_error_handler(kind, lambda exc, status=status: _error(status, str(exc)))

    @app.errorhandler(HTTPException)
    def _http(exc):
        return _error(exc.code or 500, exc.description or exc.name)

    app.register_blueprint(views_public.blueprint)
    app.register_blueprint(views_api.blueprint)
    app.register_blueprint(views_account.blueprint)
    return app
