"""Signing in, and the register's HTML forms for vendors and administrators (CSRF-protected)."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from avocado_cert.catalog import auth, register
from avocado_cert.catalog.models import VERIFIED, Account, ApiToken, Certification, Vendor

blueprint = Blueprint("account", __name__)


@blueprint.before_request
def _csrf():
    if request.method == "POST" and not auth.csrf_ok(session, request.form.get("csrf_token")):
        abort(400, "the form is stale or was not sent by this site (CSRF token missing or wrong): reload it")


def _signed_in():
    if g.actor is None:
        abort(401, "sign in first")
    return g.actor


def _done(message):
    g.db.commit()
    flash(message)
    return redirect(url_for("account.home"))


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    error = ""
    if request.method == "POST":
        account = auth.check_login(g.db, request.form.get("username", ""), request.form.get("password", ""))
        if account is not None:
            session.clear()
            session["account_id"] = account.id
            auth.csrf_token(session)
            return redirect(url_for("account.home"))
        error = "wrong username or password"
    return render_template("login.html", error=error), 401 if error else 200


@blueprint.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("public.index"))


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
    return _done(f"product {name} deleted")


@blueprint.post("/account/keys")
def add_key():
    actor = _signed_in()
    vend = _vendor_from_form()
    key = register.add_key(
        g.db, actor, vend, request.form.get("public_key", ""), request.form.get("label", "")
    )
    return _done(f"key {key.key_id[:16]} registered for {vend.slug}")


@blueprint.post("/account/keys/revoke")
def revoke_key():
    actor = _signed_in()
    vend = _vendor_from_form()
    key = register.revoke_key(g.db, actor, vend, request.form.get("key_id", ""))
    return _done(f"key {key.key_id[:16]} revoked")


@blueprint.post("/account/tokens")
def new_token():
    actor = _signed_in()
    token = auth.new_token(g.db, actor, request.form.get("label", "")[:200])
    session["new_token"] = token  # shown once, on the next page
    return _done("API token created: copy it now, it is not shown again")


@blueprint.post("/admin/vendors")
def create_vendor():
    actor = _signed_in()
    form = request.form
    vend = register.create_vendor(
        g.db, actor, form.get("vendor"), form.get("name"), form.get("contact"), form.get("url")
    )
    return _done(f"vendor {vend.slug} registered")


@blueprint.post("/admin/accounts")
def create_account():
    actor = _signed_in()
    auth.require_admin(actor)
    form = request.form
    vend = register.vendor(g.db, form["vendor"]) if form.get("vendor") else None
    account = register.create_account(
        g.db, actor, form.get("username"), form.get("password"), vend, bool(form.get("admin"))
    )
    return _done(f"account {account.username} created")


@blueprint.post("/admin/certifications/<int:cert_id>/publish")
def publish(cert_id):
    actor = _signed_in()
    register.publish(g.db, actor, register.certification(g.db, cert_id))
    return _done(f"certification {cert_id} published")


@blueprint.post("/admin/certifications/<int:cert_id>/reject")
def reject(cert_id):
    actor = _signed_in()
    register.reject(g.db, actor, register.certification(g.db, cert_id), request.form.get("reason", ""))
    return _done(f"certification {cert_id} rejected")
