"""The test register: vendors and their signing keys, accounts, products, product versions and
certification requests, each operation checking who may do it. Used by the JSON API, the HTML forms
and `avocado cert catalog admin` alike, so the rules live in one place."""

import re

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from avocado_cert.base.errors import CertError
from avocado_cert.catalog import auth
from avocado_cert.catalog.models import (
    PUBLISHED,
    REGISTERED,
    REJECTED,
    SUBMITTED,
    VERIFIED,
    Account,
    Certification,
    Product,
    ProductVersion,
    StatusEvent,
    Vendor,
    VendorKey,
    now,
)
from avocado_cert.offline import signing

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
# Which status may follow which; rejected is final.
TRANSITIONS = {
    REGISTERED: (SUBMITTED, REJECTED),
    SUBMITTED: (VERIFIED, REJECTED),
    VERIFIED: (PUBLISHED, REJECTED),
    PUBLISHED: (REJECTED,),
    REJECTED: (),
}


class Invalid(ValueError):
    """Malformed input (HTTP 400)."""


class NotFound(LookupError):
    """No such register entry (HTTP 404)."""


class Conflict(Exception):
    """The entry exists already or its state forbids the change (HTTP 409)."""


def _text(value, what, limit, required=True):
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise Invalid(f"{what}: expected a string")
    if required and not value:
        raise Invalid(f"{what}: required")
    if len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise Invalid(f"{what}: longer than {limit} characters or with control characters")
    return value


def _slug(value, what):
    value = _text(value, what, 64)
    if not SLUG_RE.match(value):
        raise Invalid(f"{what}: {value!r} is not a slug (lowercase letters, digits and '-')")
    return value


def check_version(value):
    value = _text(value, "version", 64)
    if not VERSION_RE.match(value):
        raise Invalid(f"version: {value!r} is not a version (letters, digits, '.', '_', '+', '-')")
    return value


# --- lookups ---------------------------------------------------------------------------------


def vendor(session, slug):
    found = session.scalar(select(Vendor).where(Vendor.slug == slug))
    if found is None:
        raise NotFound(f"no vendor {slug!r}")
    return found


def product(session, vendor_slug, product_slug):
    found = session.scalar(
        select(Product).join(Vendor).where(Vendor.slug == vendor_slug, Product.slug == product_slug)
    )
    if found is None:
        raise NotFound(f"no product {vendor_slug}/{product_slug}")
    return found


def product_version(session, prod, version):
    found = session.scalar(
        select(ProductVersion).where(ProductVersion.product_id == prod.id, ProductVersion.version == version)
    )
    if found is None:
        raise NotFound(f"no version {version!r} of {prod.vendor.slug}/{prod.slug}")
    return found


def certification(session, cert_id):
    found = session.get(Certification, cert_id)
    if found is None:
        raise NotFound(f"no certification {cert_id}")
    return found


def account(session, username):
    found = session.scalar(select(Account).where(Account.username == username))
    if found is None:
        raise NotFound(f"no account {username!r}")
    return found


# --- vendors, keys, accounts -----------------------------------------------------------------


def create_vendor(session, actor, slug, name, contact="", url=""):
    auth.require_admin(actor)
    slug = _slug(slug, "vendor")
    if session.scalar(select(Vendor).where(Vendor.slug == slug)) is not None:
        raise Conflict(f"vendor {slug!r} exists already")
    row = Vendor(
        slug=slug,
        name=_text(name, "name", 200),
        contact=_text(contact, "contact", 200, required=False),
        url=_text(url, "url", 300, required=False),
    )
    session.add(row)
    session.flush()
    return row


def add_key(session, actor, vend, public_pem, label=""):
    """Register a vendor's public signing key (PEM); a private key is refused, never stored."""
    auth.require_vendor(actor, vend)
    if not isinstance(public_pem, (str, bytes)) or len(public_pem) > 4096:
        raise Invalid("public_key: expected a PEM public key")
    try:
        key = signing.parse_public(public_pem, "public_key")
    except CertError as details:
        raise Invalid(str(details)) from None
    key_id = signing.key_id(key)
    if session.scalar(select(VendorKey).where(VendorKey.key_id == key_id)) is not None:
        raise Conflict(f"key {key_id[:16]} is registered already")
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    row = VendorKey(
        vendor_id=vend.id,
        key_id=key_id,
        public_pem=pem.decode("ascii"),
        label=_text(label, "label", 200, False),
    )
    session.add(row)
    session.flush()
    return row


def revoke_key(session, actor, vend, key_id):
    auth.require_vendor(actor, vend)
    row = session.scalar(select(VendorKey).where(VendorKey.vendor_id == vend.id, VendorKey.key_id == key_id))
    if row is None:
        raise NotFound(f"no key {key_id[:16]} of vendor {vend.slug}")
    if row.revoked_at is None:
        row.revoked_at = now()
    return row


def active_keys(vend):
    return [key for key in vend.keys if key.revoked_at is None]


def create_account(session, actor, username, password=None, vend=None, admin=False):
    """An account; actor None is only for the local admin command (it has the database already)."""
    if actor is not None:
        auth.require_admin(actor)
    username = _text(username, "username", 64)
    if not auth.USERNAME_RE.match(username):
        raise Invalid(f"username: {username!r} is not valid (lowercase letters, digits, '_', '.', '-')")
    if session.scalar(select(Account).where(Account.username == username)) is not None:
        raise Conflict(f"account {username!r} exists already")
    if not admin and vend is None:
        raise Invalid("a vendor account needs its vendor")
    row = Account(username=username, is_admin=bool(admin), vendor_id=None if admin else vend.id)
    if password:
        try:
            auth.set_password(row, password)
        except ValueError as details:
            raise Invalid(str(details)) from None
    session.add(row)
    session.flush()
    return row


# --- products and versions -------------------------------------------------------------------


def create_product(session, actor, vend, slug, name, description=""):
    auth.require_vendor(actor, vend)
    slug = _slug(slug, "product")
    if session.scalar(select(Product).where(Product.vendor_id == vend.id, Product.slug == slug)) is not None:
        raise Conflict(f"product {vend.slug}/{slug} exists already")
    row = Product(
        vendor_id=vend.id,
        slug=slug,
        name=_text(name, "name", 200),
        description=_text(description, "description", 4000, required=False),
    )
    session.add(row)
    session.flush()
    return row


def update_product(session, actor, prod, name=None, description=None):
    auth.require_vendor(actor, prod.vendor)
    if name is not None:
        prod.name = _text(name, "name", 200)
    if description is not None:
        prod.description = _text(description, "description", 4000, required=False)
    session.flush()
    return prod


def _has_published(prod):
    return any(c.status == PUBLISHED for v in prod.versions for c in v.certifications)


def delete_product(session, actor, prod):
    """Delete a product; one with published certifications only an admin may delete."""
    auth.require_vendor(actor, prod.vendor)
    if _has_published(prod) and not actor.is_admin:
        raise Conflict(f"{prod.vendor.slug}/{prod.slug} has published certifications: ask an administrator")
    session.delete(prod)
    session.flush()


def add_version(session, actor, prod, version):
    auth.require_vendor(actor, prod.vendor)
    version = check_version(version)
    query = select(ProductVersion).where(
        ProductVersion.product_id == prod.id, ProductVersion.version == version
    )
    if session.scalar(query) is not None:
        raise Conflict(f"{prod.vendor.slug}/{prod.slug} {version} exists already")
    row = ProductVersion(product_id=prod.id, version=version)
    session.add(row)
    session.flush()
    return row


def version_for_upload(session, actor, prod, version):
    """The product version an upload is for, registered on the way if it is new."""
    auth.require_vendor(actor, prod.vendor)
    version = check_version(version)
    query = select(ProductVersion).where(
        ProductVersion.product_id == prod.id, ProductVersion.version == version
    )
    return session.scalar(query) or add_version(session, actor, prod, version)


# --- certification requests ------------------------------------------------------------------


def register_certification(session, actor, pver):
    auth.require_vendor(actor, pver.product.vendor)
    cert = Certification(product_version_id=pver.id, status=REGISTERED)
    session.add(cert)
    session.flush()
    session.add(StatusEvent(certification_id=cert.id, status=REGISTERED, account_id=actor.id))
    return cert


def open_request(session, pver):
    """The oldest registered (not yet submitted) request of a product version, or None."""
    return session.scalar(
        select(Certification)
        .where(Certification.product_version_id == pver.id, Certification.status == REGISTERED)
        .order_by(Certification.id)
    )


def move(session, cert, status, actor, reason=""):
    """Move a request to its next status, recording who did it and why."""
    if status not in TRANSITIONS.get(cert.status, ()):
        raise Conflict(f"certification {cert.id} is {cert.status}: it cannot become {status}")
    if status == REJECTED and not reason:
        raise Invalid("a rejection needs its reason")
    cert.status = status
    cert.reason = reason
    cert.updated_at = now()
    if status == PUBLISHED:
        cert.published_at = cert.updated_at
    session.add(
        StatusEvent(
            certification_id=cert.id, status=status, reason=reason, account_id=actor.id if actor else None
        )
    )


def publish(session, actor, cert):
    auth.require_admin(actor)
    move(session, cert, PUBLISHED, actor)


def reject(session, actor, cert, reason):
    """An administrator rejects (or withdraws) a certification, with the reason."""
    auth.require_admin(actor)
    move(session, cert, REJECTED, actor, _text(reason, "reason", 2000))
