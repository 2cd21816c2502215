"""The catalog service's WSGI application (Flask): create_app(settings) builds it.

Flask was chosen for a server-rendered site: Jinja2 templates with autoescaping, a small WSGI core
served by gunicorn in production, and no client-side code needed for any page."""

import datetime
import os
import secrets
from dataclasses import dataclass

from flask import Flask, g, jsonify, render_template, request, session
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from avocado_cert.base.errors import CertError
from avocado_cert.catalog import (
    auth,
    bodies,
    db,
    ingest,
    register,
    throttle,
    views_account,
    views_api,
    views_lab,
    views_public,
    websession,
)
from avocado_cert.catalog.models import Account
from avocado_cert.catalog.security_log import SecurityLog, audit

MIB = 1 << 20
UPLOAD_ENDPOINT = "api.upload"  # the one endpoint that takes a large body (streamed, after authentication)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOGGED_STATUSES = (400, 401, 403, 413, 429)  # client errors worth a security log line (not 404, 409)
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
    max_body_bytes: int = MIB  # every request body but a bundle upload's
    auto_publish: bool = True
    secret_key: str = ""  # default: a random key kept in the storage folder
    secure_cookies: bool = False  # set behind HTTPS
    security_log: str = ""  # default: security.log in the storage folder; '-': standard error
    session_idle_minutes: int = 120
    session_hours: int = 12
    failure_window_minutes: int = 15
    failures_per_client: int = 10
    failures_per_account: int = 10

    def resolved_url(self):
        return self.database_url or db.sqlite_url(os.path.join(self.storage, "catalog.db"))

    def resolved_log(self):
        return self.security_log or os.path.join(self.storage, "security.log")


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
        self.log = SecurityLog(settings.resolved_log())
        self.session_policy = websession.Policy(
            idle=datetime.timedelta(minutes=settings.session_idle_minutes),
            lifetime=datetime.timedelta(hours=settings.session_hours),
        )
        self.throttle_policy = throttle.Policy(
            window=datetime.timedelta(minutes=settings.failure_window_minutes),
            per_client=settings.failures_per_client,
            per_account=settings.failures_per_account,
        )

    def public_text(self, text, replacements=()):
        """An error message with no server path in it: known files by their public names, the
        storage folder by a word."""
        text = str(text)
        for path, name in replacements:
            text = text.replace(path, name)
        return text.replace(os.path.abspath(self.settings.storage), "<catalog storage>")


ERRORS = (
    (register.Invalid, 400),
    (CertError, 400),
    (auth.Unauthenticated, 401),
    (auth.Denied, 403),
    (register.NotFound, 404),
    (register.Conflict, 409),
    (ingest.TooLarge, 413),
    (OverflowError, 400),  # a number from the client that the database cannot hold
    (DataError, 400),
)


def _is_api():
    return request.path.startswith("/api/")


def _error(status, message, headers=None):
    message = _service().public_text(message).splitlines()[0] if message else "error"
    if status in LOGGED_STATUSES:
        audit("refused", status=status, method=request.method, path=request.path[:200], error=message)
    if _is_api():
        response = jsonify({"error": message})
    else:
        response = render_template("error.html", status=status, message=message)
    return response, status, headers or {}


def _service():
    from flask import current_app  # pylint: disable=import-outside-toplevel

    return current_app.extensions["catalog"]


def too_many(wait, what):
    """HTTP 429 for a client or account over the failure limit."""
    return _error(429, f"too many failed {what}: try again in {wait} seconds", {"Retry-After": str(wait)})


def _body_limit(settings):
    """Bound the body before anything reads it: its announced length now, a streamed one while read."""
    limit = settings.max_upload_bytes if request.endpoint == UPLOAD_ENDPOINT else settings.max_body_bytes
    refused = bodies.bound(request, limit)
    if refused is not None:
        return _error(
            413, f"the request body is {request.content_length} bytes, over the limit of {limit} here"
        )
    return None


def _bearer(service, token):
    client = request.remote_addr
    with service.engine.begin() as conn:
        wait, _scope = throttle.retry_after(conn, service.throttle_policy, client)
    if wait:
        return too_many(wait, "API tokens from this client")
    g.actor = auth.account_for_token(g.db, token)
    if g.actor is None:
        with service.engine.begin() as conn:
            throttle.record(conn, service.throttle_policy, client)
        return _error(401, "invalid or revoked API token")
    return None


def _browser(service):
    token = session.get("sid")
    if not token:
        return
    ident = websession.owner(g.db, token, service.session_policy)
    g.db.commit()  # the session's last use, or its deletion once expired
    found = g.db.get(Account, ident) if ident is not None else None
    if found is None or found.disabled:
        session.pop("sid", None)
        return
    g.actor = found


def create_app(settings, migrate=True):
    os.makedirs(settings.storage, exist_ok=True)
    engine = db.engine_for(settings.resolved_url())
    if migrate:
        db.upgrade(engine)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,  # raised for the upload endpoint only
        PERMANENT_SESSION_LIFETIME=datetime.timedelta(hours=settings.session_hours),
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
        service = app.extensions["catalog"]
        g.actor = None
        refused = _body_limit(service.settings)
        if refused is not None:
            return refused
        g.db = service.sessions()
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return _bearer(service, header[len("Bearer ") :].strip())
        if _is_api():
            if request.method not in SAFE_METHODS:  # refused before a byte of the body is read
                return _error(401, "authentication required: an API token (Authorization: Bearer)")
            return None
        _browser(service)
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
    app.register_blueprint(views_lab.blueprint)
    return app
