"""The lab's register, one place for its rules: hosts and their inventory, and
certification requests (filed, matched to a host at once, queued, claimed by a worker, with live
progress, finished or cancelled). Used by the catalog's lab views."""

import json

from sqlalchemy import func, select

from avocado_cert.catalog import auth, register
from avocado_cert.catalog.models import Certification, CriteriaDoc, ProfileDoc, now
from avocado_cert.lab import matching
from avocado_cert.lab.tables import (
    ACTIVE,
    CANCELLED,
    DONE,
    FAILED,
    RUNNING,
    LabHost,
    LabRequest,
    precise_now,
)

LOG_LIMIT = 64 * 1024  # the tail of a failed run's job log kept with the request
INVENTORY_LIMIT = 256 * 1024


# --- hosts -------------------------------------------------------------------------------------


def register_host(session, actor, inventory):
    """Record (or refresh) a lab host from its inventory document; an administrator's act."""
    auth.require_admin(actor)
    if not isinstance(inventory, dict):
        raise register.Invalid("expected the host's inventory as a JSON object")
    name = register._slug(inventory.get("name"), "name")  # pylint: disable=protected-access
    text = json.dumps(inventory, sort_keys=True)
    if len(text) > INVENTORY_LIMIT:
        raise register.Invalid(f"the inventory is over {INVENTORY_LIMIT} bytes")
    for key in ("uri", "arch", "driver"):
        if not isinstance(inventory.get(key), str) or not inventory[key]:
            raise register.Invalid(f"inventory: {key} is required")
    row = session.scalar(select(LabHost).where(LabHost.name == name))
    if row is None:
        row = LabHost(name=name)
        session.add(row)
    row.uri, row.arch, row.driver = inventory["uri"], inventory["arch"], inventory["driver"]
    row.inventory = text
    row.last_seen = now()
    session.flush()
    return row


def host(session, name):
    found = session.scalar(select(LabHost).where(LabHost.name == name))
    if found is None:
        raise register.NotFound(f"no lab host {name}")
    return found


def seen(session, actor, name):
    auth.require_admin(actor)
    found = host(session, name)
    found.last_seen = now()
    return found


def hosts(session):
    return session.scalars(select(LabHost).order_by(LabHost.name)).all()


def host_json(row, active=0):
    return {
        "name": row.name,
        "uri": row.uri,
        "arch": row.arch,
        "driver": row.driver,
        "registered_at": row.registered_at.isoformat(),
        "last_seen": row.last_seen.isoformat(),
        "active_requests": active,
        "inventory": json.loads(row.inventory),
    }


def active_counts(session):
    rows = session.execute(
        select(LabRequest.host_id, func.count())
        .where(LabRequest.state.in_(ACTIVE))
        .group_by(LabRequest.host_id)
    )
    return dict(rows.all())


# --- the lab's keys ----------------------------------------------------------------------------


def add_key(session, actor, vendor_slug, public_pem, label=""):
    """Register a public key as the lab's (held by the vendor entry the lab signs as): the only kind
    of key a catalog accepts on a "centralized" bundle, and never on an "offline" one."""
    auth.require_admin(actor)
    row = register.add_key(session, actor, register.vendor(session, vendor_slug), public_pem, label or "lab")
    row.lab = True
    return row


# --- requests --------------------------------------------------------------------------------


def _published_profile(session, name):
    row = session.scalar(select(ProfileDoc).where(ProfileDoc.name == name).order_by(ProfileDoc.id.desc()))
    if row is None:
        raise register.Invalid(f"profile {name!r} is not a profile this catalog publishes")
    return row


def file_request(session, actor, data):
    """A new request, matched to the least busy host that can serve it (Unmatched when none can)."""
    auth.require(actor)
    if not isinstance(data, dict):
        raise register.Invalid("expected a JSON object")
    prod = register.product(session, str(data.get("vendor", "")), str(data.get("product", "")))
    auth.require_vendor(actor, prod.vendor)
    version = register.check_version(data.get("version"))
    profile = _published_profile(session, str(data.get("profile", "")))
    criteria = str(data.get("criteria") or "")
    if criteria and criteria not in {v for (v,) in session.execute(select(CriteriaDoc.version))}:
        raise register.Invalid(f"criteria {criteria!r} is not a published criteria version")
    try:
        wanted = matching.check_requirements(data.get("requirements") or {})
    except ValueError as details:
        raise register.Invalid(str(details)) from None
    inventories = [(row, json.loads(row.inventory)) for row in hosts(session)]
    able = matching.candidates(inventories, wanted, matching.profile_uris(profile.content))
    busy = active_counts(session)
    chosen = min(able, key=lambda pair: (busy.get(pair[0].id, 0), pair[0].name))[0]
    row = LabRequest(
        vendor_id=prod.vendor_id,
        product_id=prod.id,
        version=version,
        profile=profile.name,
        criteria=criteria,
        requirements=json.dumps(wanted, sort_keys=True),
        host_id=chosen.id,
        account_id=actor.id,
    )
    session.add(row)
    session.flush()
    return row


def request(session, request_id):
    row = session.get(LabRequest, request_id)
    if row is None:
        raise register.NotFound(f"no lab request {request_id}")
    return row


def visible(session, actor, request_id):
    """A request its vendor's accounts and administrators may see."""
    row = request(session, request_id)
    auth.require_vendor(actor, row.vendor)
    return row


def listing(session, state="", limit=500):
    """Requests newest first (what each reader may see of them is request_json's call)."""
    query = select(LabRequest).order_by(LabRequest.id.desc())
    if state:
        query = query.where(LabRequest.state == state)
    return session.scalars(query.limit(limit)).all()


def may_see(actor, row):
    """Whose product a request is for is shown to its vendor and the administrators only."""
    return actor is not None and (actor.is_admin or actor.vendor_id == row.vendor_id)


def claim(session, actor, request_id, host_name):
    """A worker starts (again) a request's run: a new attempt that owns its progress from now on.

    A request already finished or cancelled is a Conflict: the worker drops the job."""
    auth.require_admin(actor)
    row = session.scalar(select(LabRequest).where(LabRequest.id == request_id).with_for_update())
    if row is None:
        raise register.NotFound(f"no lab request {request_id}")
    if row.host.name != host_name:
        raise register.Conflict(f"request {request_id} is for host {row.host.name}, not {host_name}")
    if row.state not in ACTIVE:
        raise register.Conflict(f"request {request_id} is {row.state}")
    row.state, row.attempt = RUNNING, row.attempt + 1
    row.done, row.total, row.area, row.reason = 0, 0, "", ""
    row.started_at, row.finished_at = precise_now(), None
    return row


def _owned(session, actor, request_id, attempt):
    auth.require_admin(actor)
    row = session.scalar(select(LabRequest).where(LabRequest.id == request_id).with_for_update())
    if row is None:
        raise register.NotFound(f"no lab request {request_id}")
    if row.state != RUNNING or row.attempt != attempt:
        raise register.Conflict(
            f"request {request_id} is {row.state} (attempt {row.attempt}), not attempt {attempt}"
        )
    return row


def progress(session, actor, request_id, attempt, done, total, area):
    row = _owned(session, actor, request_id, attempt)
    if not all(isinstance(v, int) and v >= 0 for v in (done, total)):
        raise register.Invalid("done and total must be non-negative integers")
    row.done, row.total, row.area = done, total, str(area or "")[:64]
    return row


def finish(session, actor, request_id, attempt, certification=None, reason="", log=""):
    """Done with its certification, or failed with why and the job log's tail."""
    row = _owned(session, actor, request_id, attempt)
    if certification is not None:
        cert = session.get(Certification, certification)
        if cert is None or cert.product_version.product_id != row.product_id:
            raise register.Invalid(f"certification {certification} is not one of this request's product")
        row.state, row.certification_id = DONE, cert.id
    else:
        row.state = FAILED
        row.reason = str(reason or "the run failed")[:2000]
        row.log = str(log or "")[-LOG_LIMIT:]
    row.finished_at = precise_now()
    return row


def cancel(session, actor, request_id):
    row = request(session, request_id)
    auth.require_vendor(actor, row.vendor)
    if row.state not in ACTIVE:
        raise register.Conflict(f"request {request_id} is {row.state} already")
    row.state, row.finished_at = CANCELLED, precise_now()
    return row


def request_json(row, reveal=True, full=False):
    data = {
        "id": row.id,
        "vendor": row.vendor.slug if reveal else "",
        "product": row.product.slug if reveal else "",
        "version": row.version if reveal else "",
        "profile": row.profile,
        "criteria": row.criteria,
        "requirements": json.loads(row.requirements),
        "host": row.host.name,
        "state": row.state,
        "attempt": row.attempt,
        "progress": {"done": row.done, "total": row.total, "area": row.area},
        "certification": row.certification_id if reveal else None,
        "reason": row.reason if reveal else "",
        "created_at": row.created_at.isoformat(),
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
    if full and reveal:
        data["log"] = row.log
    return data
