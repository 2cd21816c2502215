"""Signing in, and the register's HTML forms for vendors and administrators (CSRF-protected)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from avocado_cert.catalog import auth, inputs, register, throttle, websession
from avocado_cert.catalog.models import VERIFIED, Account, ApiToken, Certification, Vendor
from avocado_cert.catalog.security_log import audit

blueprint = Blueprint("account", __name__)


@blueprint.before_request
def _csrf():
    if request.method == "POST" and not auth.csrf_ok(session, request.form.get("csrf_token")):
        abort(400, "the form is stale or was not sent by this site (CSRF token missing or wrong): reload it")


def _signed_in():
    if g.actor is None:
        abort(401, "sign in first")
    return g.actor


def _done(message, event=None, **fields):
    g.db.commit()
    if event:
        audit(event, **fields)
    flash(message)
    return redirect(url_for("account.home"))


def _service():
    return current_app.extensions["catalog"]


def _signed_in_as(account):
    """A new server-side session for this browser (a new session id and CSRF token)."""
    token = websession.start(g.db, account.id)
    g.db.commit()
    session.clear()
    session["sid"] = token
    auth.csrf_token(session)


def _failed(client, username):
    with _service().engine.begin() as conn:
        throttle.record(conn, _service().throttle_policy, client, username)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    error, status = "", 200
    if request.method == "POST":
        client, username = request.remote_addr, request.form.get("username", "")[:64]
        with _service().engine.begin() as conn:
            wait, scope = throttle.retry_after(conn, _service().throttle_policy, client, username)
        if wait:
            audit("login-refused", account=username, limit=scope, retry_after=wait)
            error, status = f"too many failed sign-ins: try again in {wait} seconds", 429
            page = render_template("login.html", error=error)
            return page, status, {"Retry-After": str(wait)}
        account = auth.check_login(g.db, username, request.form.get("password", ""))
        if account is not None:
            websession.end(g.db, session.get("sid"))
            _signed_in_as(account)
            audit("login", account=account.username)
            return redirect(url_for("account.home"))
        _failed(client, username)
        audit("login-failed", account=username)
        error, status = "wrong username or password", 401
    return render_template("login.html", error=error), status


@blueprint.post("/logout")
def logout():
    websession.end(g.db, session.get("sid"))
    g.db.commit()
    if g.actor is not None:
        audit("logout", account=g.actor.username)
    session.clear()
    return redirect(url_for("public.index"))


@blueprint.post("/account/password")
def change_password():
    actor = _signed_in()
    try:
        ended = auth.change_password(
            g.db, actor, request.form.get("current_password", ""), request.form.get("new_password", "")
        )
    except auth.Denied:
        g.db.rollback()
        _failed(request.remote_addr, actor.username)
        raise
    except ValueError as details:
        raise register.Invalid(str(details)) from None
    _signed_in_as(actor)
    return _done(
        "password changed: every other session of this account has ended",
        "password-changed",
        account=actor.username,
        sessions_ended=ended,
    )


@blueprint.get("/account")
def home():
    actor = _signed_in()
    vendors = g.db.scalars(select(Vendor).order_by(Vendor.slug)).all() if actor.is_admin else [actor.vendor]
    pending = []
    if actor.is_admin:
        pending = g.db.scalars(select(Certification).where(Certification.status == VERIFIED)).all()
    tokens = g.db.scalars(
        select(ApiToken).where(ApiToken.account_id == actor.id, ApiToken.revoked_at.is_(None))
    ).all()
    accounts = g.db.scalars(select(Account).order_by(Account.username)).all() if actor.is_admin else []
    return render_template(
        "account.html",
        vendors=[v for v in vendors if v is not None],
        pending=pending,
        tokens=tokens,
        accounts=accounts,
        new_token=session.pop("new_token", None),
    )


def _vendor_from_form():
    return register.vendor(g.db, request.form.get("vendor", ""))


@blueprint.post("/account/products")
def create_product():
    actor = _signed_in()
    vend = _vendor_from_form()
    form = request.form
    prod = register.create_product(
        g.db, actor, vend, form.get("product"), form.get("name"), form.get("description")
    )
    return _done(f"product {vend.slug}/{prod.slug} registered")


@blueprint.post("/account/versions")
def add_version():
    actor = _signed_in()
    prod = register.product(g.db, request.form.get("vendor", ""), request.form.get("product", ""))
    pver = register.add_version(g.db, actor, prod, request.form.get("version"))
    if request.form.get("request"):
        register.register_certification(g.db, actor, pver)
    return _done(f"version {pver.version} of {prod.vendor.slug}/{prod.slug} registered")


@blueprint.post("/account/products/delete")
def delete_product():
    actor = _signed_in()
    prod = register.product(g.db, request.form.get("vendor", ""), request.form.get("product", ""))
    name = f"{prod.vendor.slug}/{prod.slug}"
    register.delete_product(g.db, actor, prod)
    return _done(f"product {name} deleted", "product-deleted", product=name)


@blueprint.post("/account/keys")
def add_key():
    actor = _signed_in()
    vend = _vendor_from_form()
    key = register.add_key(
        g.db, actor, vend, request.form.get("public_key", ""), request.form.get("label", "")
    )
    return _done(
        f"key {key.key_id[:16]} registered for {vend.slug}", "key-added", vendor=vend.slug, key=key.key_id
    )


@blueprint.post("/account/keys/revoke")
def revoke_key():
    actor = _signed_in()
    vend = _vendor_from_form()
    key = register.revoke_key(g.db, actor, vend, request.form.get("key_id", ""))
    return _done(f"key {key.key_id[:16]} revoked", "key-revoked", vendor=vend.slug, key=key.key_id)


@blueprint.post("/account/tokens")
def new_token():
    actor = _signed_in()
    token = auth.new_token(g.db, actor, request.form.get("label", "")[:200])
    session["new_token"] = token  # shown once, on the next page
    return _done(
        "API token created: copy it now, it is not shown again", "token-created", account=actor.username
    )


@blueprint.post("/admin/vendors")
def create_vendor():
    actor = _signed_in()
    form = request.form
    vend = register.create_vendor(
        g.db, actor, form.get("vendor"), form.get("name"), form.get("contact"), form.get("url")
    )
    return _done(f"vendor {vend.slug} registered", "vendor-created", vendor=vend.slug)


@blueprint.post("/admin/accounts")
def create_account():
    actor = _signed_in()
    auth.require_admin(actor)
    form = request.form
    vend = register.vendor(g.db, form["vendor"]) if form.get("vendor") else None
    account = register.create_account(
        g.db, actor, form.get("username"), form.get("password"), vend, bool(form.get("admin"))
    )
    return _done(f"account {account.username} created", "account-created", account=account.username)


@blueprint.post("/admin/accounts/disable")
def disable_account():
    actor = _signed_in()
    account = register.account(g.db, request.form.get("username", ""))
    disabled = request.form.get("disabled", "1") == "1"
    auth.set_disabled(g.db, actor, account, disabled)
    word = "disabled" if disabled else "enabled"
    return _done(f"account {account.username} {word}", f"account-{word}", account=account.username)


@blueprint.post("/admin/certifications/<int:cert_id>/publish")
def publish(cert_id):
    actor = _signed_in()
    register.publish(g.db, actor, register.certification(g.db, inputs.row_id(cert_id)))
    return _done(f"certification {cert_id} published", "published", certification=cert_id)


@blueprint.post("/admin/certifications/<int:cert_id>/reject")
def reject(cert_id):
    actor = _signed_in()
    reason = request.form.get("reason", "")
    register.reject(g.db, actor, register.certification(g.db, inputs.row_id(cert_id)), reason)
    return _done(f"certification {cert_id} rejected", "rejected", certification=cert_id, reason=reason)
