"""Accounts, passwords, API tokens, CSRF tokens and who may act on what.

Passwords are stored as salted scrypt hashes (werkzeug); API tokens, 256-bit random strings shown
once, are stored as their SHA-256. A vendor account acts only on its own vendor's register entries;
an admin acts on all of them.
"""

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from avocado_cert.catalog import websession
from avocado_cert.catalog.models import Account, ApiToken, now

TOKEN_PREFIX = "acat_"
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 10


class Denied(Exception):
    """The caller is not allowed to do this (HTTP 403)."""


class Unauthenticated(Exception):
    """No valid credentials were given (HTTP 401)."""


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(session, account, label=""):
    """Create an API token for an account; the clear token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(account_id=account.id, token_hash=hash_token(token), label=label))
    return token


def account_for_token(session, token):
    """The enabled account an API token belongs to, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or row.account.disabled:
        return None
    return row.account


def revoke_tokens(session, account):
    for row in session.scalars(select(ApiToken).where(ApiToken.account_id == account.id)):
        if row.revoked_at is None:
            row.revoked_at = now()


def set_password(account, password):
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password is too short (at least {MIN_PASSWORD} characters)")
    account.password_hash = generate_password_hash(password)


def change_password(session, account, current, new):
    """A signed-in user's new password; every session of the account ends (the caller starts a new one)."""
    if not account.password_hash or not check_password_hash(account.password_hash, current or ""):
        raise Denied("the current password is wrong")
    set_password(account, new or "")
    return websession.end_all(session, account)


def set_disabled(session, actor, account, disabled):
    """An administrator disables (or enables again) an account: a disabled account's sessions end
    and its API tokens are revoked."""
    require_admin(actor)
    if disabled and account.id == getattr(actor, "id", None):
        raise Denied("an administrator cannot disable their own account")
    account.disabled = bool(disabled)
    if disabled:
        revoke_tokens(session, account)
        websession.end_all(session, account)


def check_login(session, username, password):
    """The enabled account with this username and password, or None."""
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None or account.disabled or not account.password_hash:
        # Hash anyway so that a wrong username takes as long as a wrong password.
        check_password_hash(generate_password_hash("x"), password)
        return None
    return account if check_password_hash(account.password_hash, password) else None


def require(account):
    if account is None:
        raise Unauthenticated("authentication required")
    return account


def require_admin(account):
    if not require(account).is_admin:
        raise Denied("only an administrator may do this")
    return account


def require_vendor(account, vendor):
    """The account may act for this vendor: an admin, or an account of that vendor."""
    require(account)
    if account.is_admin or (vendor is not None and account.vendor_id == vendor.id):
        return account
    raise Denied("this account may act only on its own vendor's products")


def csrf_token(store):
    """The CSRF token of a browser session (a mapping), created on first use."""
    if "csrf" not in store:
        store["csrf"] = secrets.token_urlsafe(32)
    return store["csrf"]


def csrf_ok(store, given):
    expected = store.get("csrf")
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
