"""The lab's pages and JSON: the inventory of lab hosts, certification requests with their live
progress, and the writes of vendors (file, cancel), administrators (hosts) and workers (claim,
progress, finish). Lab pages are never cached: progress moves while a run goes on."""

from flask import Blueprint, current_app, g, jsonify, render_template, request

from avocado_cert.catalog import inputs, register
from avocado_cert.lab import matching, queue
from avocado_cert.lab import requests as lab
from avocado_cert.lab.tables import STATES

blueprint = Blueprint("lab", __name__)
API = "/api/v1/lab"


def _body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise register.Invalid("expected a JSON object as the request body")
    return data


def _int(data, key):
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise register.Invalid(f"{key}: expected an integer")
    return value


def _request_id(value):
    """A request id from the URL; one no row can have is not found (404), never a database error."""
    return inputs.row_id(value, "lab request")


def _dispatcher():
    found = current_app.extensions.get("lab-dispatcher")
    if found is None:
        url = current_app.extensions["catalog"].settings.resolved_url()
        try:
            queue.conninfo(url)
        except ValueError as details:
            raise register.Invalid(str(details)) from None
        found = current_app.extensions.setdefault("lab-dispatcher", queue.Dispatcher(url))
    return found


def _hosts_json():
    busy = lab.active_counts(g.db)
    return [lab.host_json(row, busy.get(row.id, 0)) for row in lab.hosts(g.db)]


def _requests_json(state=""):
    return [lab.request_json(row, lab.may_see(g.actor, row)) for row in lab.listing(g.db, state)]


# --- pages -----------------------------------------------------------------------------------


@blueprint.get("/lab")
def hosts_page():
    return render_template("lab_hosts.html", hosts=_hosts_json())


@blueprint.get("/lab/requests")
def requests_page():
    state = request.args.get("state", "")
    return render_template(
        "lab_requests.html",
        requests=_requests_json(state if state in STATES else ""),
        states=STATES,
        state=state,
    )


@blueprint.get("/lab/requests/<int:request_id>")
def request_page(request_id):
    request_id = _request_id(request_id)
    row = lab.request(g.db, request_id)
    return render_template(
        "lab_request.html", req=lab.request_json(row, lab.may_see(g.actor, row), full=True)
    )


# --- JSON ------------------------------------------------------------------------------------


@blueprint.get(f"{API}/hosts")
def hosts_api():
    return jsonify({"hosts": _hosts_json()})


@blueprint.post(f"{API}/hosts")
def register_host():
    row = lab.register_host(g.db, g.actor, _body())
    g.db.commit()
    return jsonify(lab.host_json(row)), 201


@blueprint.post(f"{API}/hosts/<name>/seen")
def host_seen(name):
    row = lab.seen(g.db, g.actor, name)
    g.db.commit()
    return jsonify(lab.host_json(row))


@blueprint.post(f"{API}/keys")
def add_key():
    data = _body()
    row = lab.add_key(
        g.db, g.actor, str(data.get("vendor", "")), data.get("public_key"), str(data.get("label", ""))
    )
    g.db.commit()
    return jsonify({"vendor": data.get("vendor"), "key_id": row.key_id, "lab": True}), 201


@blueprint.get(f"{API}/requests")
def requests_api():
    return jsonify({"requests": _requests_json(request.args.get("state", ""))})


@blueprint.post(f"{API}/requests")
def file_request():
    try:
        row = lab.file_request(g.db, g.actor, _body())
    except matching.Unmatched as details:
        g.db.rollback()
        return jsonify({"error": str(details)}), 422
    # Queued before the commit: a request the catalog stores always has its job (the worker drops
    # a job whose request was never committed).
    row.queue_job = _dispatcher().defer(row.id, row.host.name)
    g.db.commit()
    return jsonify(lab.request_json(row)), 201


@blueprint.get(f"{API}/requests/<int:request_id>")
def request_api(request_id):
    request_id = _request_id(request_id)
    row = lab.request(g.db, request_id)
    return jsonify(lab.request_json(row, lab.may_see(g.actor, row), full=True))


@blueprint.post(f"{API}/requests/<int:request_id>/cancel")
def cancel(request_id):
    request_id = _request_id(request_id)
    row = lab.cancel(g.db, g.actor, request_id)
    job = row.queue_job
    g.db.commit()
    if job is not None:
        _dispatcher().cancel(job)  # a queued job goes; a running one stops at its next progress report
    return jsonify(lab.request_json(row))


@blueprint.post(f"{API}/requests/<int:request_id>/claim")
def claim(request_id):
    request_id = _request_id(request_id)
    row = lab.claim(g.db, g.actor, request_id, str(_body().get("host", "")))
    g.db.commit()
    return jsonify(lab.request_json(row))


@blueprint.post(f"{API}/requests/<int:request_id>/progress")
def progress(request_id):
    request_id = _request_id(request_id)
    data = _body()
    row = lab.progress(
        g.db,
        g.actor,
        request_id,
        _int(data, "attempt"),
        data.get("done"),
        data.get("total"),
        data.get("area"),
    )
    g.db.commit()
    return jsonify(lab.request_json(row))


@blueprint.post(f"{API}/requests/<int:request_id>/finish")
def finish(request_id):
    request_id = _request_id(request_id)
    data = _body()
    cert = data.get("certification")
    if cert is not None and (not isinstance(cert, int) or isinstance(cert, bool)):
        raise register.Invalid("certification: expected an integer")
    row = lab.finish(
        g.db,
        g.actor,
        request_id,
        _int(data, "attempt"),
        cert,
        str(data.get("reason", "")),
        str(data.get("log", "")),
    )
    g.db.commit()
    return jsonify(lab.request_json(row))
