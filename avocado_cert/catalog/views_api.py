"""The JSON API: the catalog's data for everyone, and the register's writes for token holders.

Reads are public (published data only); every write needs an API token (Authorization: Bearer) and
acts only where the token's account may act. No write accepts a browser cookie, so the API needs no
CSRF token."""

import os

from flask import Blueprint, current_app, g, jsonify, request

from avocado_cert.base.errors import CertError
from avocado_cert.catalog import analysis, auth, ingest, inputs, pagecache, published, queries, register
from avocado_cert.catalog.security_log import audit
from avocado_cert.catalog.views_public import visible_certification

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


def _body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise register.Invalid("expected a JSON object as the request body")
    return data


def _commit(status, payload, event=None, **fields):
    g.db.commit()
    if event:
        audit(event, **fields)
    return jsonify(payload), status


def _vendor_json(vend):
    return {"vendor": vend.slug, "name": vend.name, "contact": vend.contact, "url": vend.url}


def _key_json(key):
    return {
        "key_id": key.key_id,
        "label": key.label,
        "public_key": key.public_pem,
        "revoked": key.revoked_at is not None,
    }


# --- public reads ----------------------------------------------------------------------------


@blueprint.get("/config")
@pagecache.cached
def config():
    return jsonify(published.document(g.db, request.host_url.rstrip("/")))


@blueprint.get("/catalog")
@pagecache.cached
def catalog_list():
    filters = {key: request.args.get(key, "") for key in queries.FILTERS}
    page = inputs.page(request.args)
    per_page = inputs.number(request.args, "per_page", queries.PAGE, 500)
    entries, total = queries.catalog(g.db, filters, page, per_page)
    return jsonify({"total": total, "page": page, "per_page": per_page, "certifications": entries})


@blueprint.get("/products/<vendor>/<product>")
@pagecache.cached
def product(vendor, product):  # pylint: disable=redefined-outer-name
    prod = register.product(g.db, vendor, product)
    actor = g.actor
    everything = actor is not None and (actor.is_admin or actor.vendor_id == prod.vendor_id)
    data = queries.product_info(prod)
    data["versions"] = queries.history(g.db, prod, everything)
    data["regressions"] = analysis.regressions(g.db, prod.id)
    return jsonify(data)


@blueprint.get("/certifications/<int:cert_id>")
@pagecache.cached
def certification(cert_id):
    return jsonify(queries.detail(visible_certification(cert_id)))


@blueprint.get("/analysis/support-matrix")
@pagecache.cached
def support_matrix():
    return jsonify(analysis.cached(g.db, "support_matrix", analysis.support_matrix))


@blueprint.get("/analysis/failing-apis")
@pagecache.cached
def failing_apis():
    rows = analysis.cached(g.db, "failing_apis", analysis.failing_apis)
    return jsonify([{"api": api, "failing": fails, "measured": total} for api, fails, total in rows])


@blueprint.get("/analysis/regressions")
@pagecache.cached
def regressions():
    return jsonify(analysis.cached(g.db, "regressions", analysis.regressions))


# --- authenticated writes --------------------------------------------------------------------


@blueprint.get("/whoami")
def whoami():
    actor = auth.require(g.actor)
    return jsonify(
        {
            "username": actor.username,
            "admin": actor.is_admin,
            "vendor": actor.vendor.slug if actor.vendor else None,
        }
    )


@blueprint.post("/vendors")
def create_vendor():
    auth.require_admin(g.actor)
    data = _body()
    vend = register.create_vendor(
        g.db, g.actor, data.get("vendor"), data.get("name"), data.get("contact", ""), data.get("url", "")
    )
    return _commit(201, _vendor_json(vend), "vendor-created", vendor=vend.slug)


@blueprint.post("/accounts")
def create_account():
    auth.require_admin(g.actor)
    data = _body()
    vend = register.vendor(g.db, data["vendor"]) if data.get("vendor") else None
    account = register.create_account(
        g.db, g.actor, data.get("username"), data.get("password"), vend, bool(data.get("admin"))
    )
    token = auth.new_token(g.db, account, "created with the account")
    return _commit(
        201, {"username": account.username, "token": token}, "account-created", account=account.username
    )


@blueprint.route("/accounts/<username>", methods=["PATCH"])
def update_account(username):
    """An administrator disables an account (its sessions end, its tokens are revoked) or enables it."""
    auth.require_admin(g.actor)
    data = _body()
    if not isinstance(data.get("disabled"), bool):
        raise register.Invalid('expected {"disabled": true or false}')
    account = register.account(g.db, username)
    auth.set_disabled(g.db, g.actor, account, data["disabled"])
    word = "disabled" if data["disabled"] else "enabled"
    return _commit(
        200,
        {"username": account.username, "disabled": account.disabled},
        f"account-{word}",
        account=account.username,
    )


@blueprint.get("/vendors/<vendor>/keys")
def list_keys(vendor):
    vend = register.vendor(g.db, vendor)
    auth.require_vendor(g.actor, vend)
    return jsonify([_key_json(key) for key in vend.keys])


@blueprint.post("/vendors/<vendor>/keys")
def add_key(vendor):
    data = _body()
    vend = register.vendor(g.db, vendor)
    key = register.add_key(g.db, g.actor, vend, data.get("public_key"), data.get("label", ""))
    return _commit(201, _key_json(key), "key-added", vendor=vend.slug, key=key.key_id)


@blueprint.delete("/vendors/<vendor>/keys/<key_id>")
def revoke_key(vendor, key_id):
    vend = register.vendor(g.db, vendor)
    key = register.revoke_key(g.db, g.actor, vend, key_id)
    return _commit(200, _key_json(key), "key-revoked", vendor=vend.slug, key=key.key_id)


@blueprint.post("/vendors/<vendor>/products")
def create_product(vendor):
    data = _body()
    vend = register.vendor(g.db, vendor)
    prod = register.create_product(
        g.db, g.actor, vend, data.get("product"), data.get("name"), data.get("description", "")
    )
    return _commit(201, queries.product_info(prod))


@blueprint.route("/products/<vendor>/<product>", methods=["PATCH"])
def update_product(vendor, product):  # pylint: disable=redefined-outer-name
    data = _body()
    prod = register.product(g.db, vendor, product)
    register.update_product(g.db, g.actor, prod, data.get("name"), data.get("description"))
    return _commit(200, queries.product_info(prod))


@blueprint.delete("/products/<vendor>/<product>")
def delete_product(vendor, product):  # pylint: disable=redefined-outer-name
    prod = register.product(g.db, vendor, product)
    register.delete_product(g.db, g.actor, prod)
    return _commit(200, {"deleted": f"{vendor}/{product}"}, "product-deleted", product=f"{vendor}/{product}")


@blueprint.post("/products/<vendor>/<product>/versions")
def add_version(vendor, product):  # pylint: disable=redefined-outer-name
    data = _body()
    prod = register.product(g.db, vendor, product)
    pver = register.add_version(g.db, g.actor, prod, data.get("version"))
    return _commit(201, {"vendor": vendor, "product": product, "version": pver.version})


@blueprint.post("/products/<vendor>/<product>/versions/<version>/certifications")
def register_certification(vendor, product, version):  # pylint: disable=redefined-outer-name
    prod = register.product(g.db, vendor, product)
    auth.require_vendor(g.actor, prod.vendor)
    cert = register.register_certification(g.db, g.actor, register.product_version(g.db, prod, version))
    return _commit(201, {"id": cert.id, "status": cert.status})


@blueprint.post("/products/<vendor>/<product>/versions/<version>/bundles")
def upload(vendor, product, version):  # pylint: disable=redefined-outer-name
    """The body is the bundle itself (application/gzip)."""
    actor = auth.require(g.actor)
    prod = register.product(g.db, vendor, product)
    auth.require_vendor(actor, prod.vendor)  # before a byte of the body is read
    service = current_app.extensions["catalog"]
    path, sha256, size = ingest.receive(
        request.stream,
        request.content_length,
        f"{service.settings.storage}/tmp",
        service.settings.max_upload_bytes,
    )
    g.db.close()
    name = f"the uploaded bundle (sha256 {sha256[:16]})"
    hide = ((path, name), (os.path.dirname(path), "<upload folder>"))
    try:
        result = service.ingest.run(actor, vendor, product, version, path, sha256, size)
    except (register.Invalid, register.Conflict, CertError) as details:
        message = service.public_text(details, hide)
        audit("upload-rejected", product=f"{vendor}/{product}", version=version, sha256=sha256, error=message)
        kind = register.Conflict if isinstance(details, register.Conflict) else register.Invalid
        raise kind(message) from None
    if isinstance(result, ingest.Rejection):
        rules = [{"name": n, "detail": service.public_text(d, hide)} for n, d in result.rules]
        reason = service.public_text(result.reason, hide)
        audit(
            "upload-rejected",
            product=f"{vendor}/{product}",
            version=version,
            sha256=sha256,
            rules=",".join(rule["name"] for rule in rules) or "-",
            error=reason,
        )
        return jsonify({"error": reason, "rules": rules, "stored": False}), 422
    cert_id, created = result
    if created:
        audit(
            "upload-accepted",
            product=f"{vendor}/{product}",
            version=version,
            sha256=sha256,
            certification=cert_id,
        )
    with service.sessions() as session:
        data = queries.detail(register.certification(session, cert_id))
    data["created"] = created
    return jsonify(data), 201 if created else 200


@blueprint.post("/certifications/<int:cert_id>/publish")
def publish(cert_id):
    cert = register.certification(g.db, inputs.row_id(cert_id))
    register.publish(g.db, g.actor, cert)
    return _commit(200, {"id": cert.id, "status": cert.status}, "published", certification=cert.id)


@blueprint.post("/certifications/<int:cert_id>/reject")
def reject(cert_id):
    data = _body()
    cert = register.certification(g.db, inputs.row_id(cert_id))
    register.reject(g.db, g.actor, cert, data.get("reason"))
    return _commit(
        200,
        {"id": cert.id, "status": cert.status, "reason": cert.reason},
        "rejected",
        certification=cert.id,
        reason=cert.reason,
    )
