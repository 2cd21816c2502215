"""Browser sessions held on the server. The signed cookie carries only a random session id; the
database keeps its SHA-256, the account and when it was made and last used. Signing out deletes the
row, a password change or disabling the account deletes every row of the account, so a copied
cookie stops working at once; a session also ends after an idle time and after a fixed lifetime."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, delete, insert, select, update

from avocado_cert.catalog.models import Base, now

web_session = Table(
    "web_session",
    Base.metadata,
    Column("id", String(64), primary_key=True),  # the SHA-256 of the cookie's session id
    Column("account_id", Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
TOUCH_EVERY = datetime.timedelta(minutes=1)  # fewer writes: last use is kept to the minute


@dataclass
class Policy:
    idle: datetime.timedelta = datetime.timedelta(hours=2)
    lifetime: datetime.timedelta = datetime.timedelta(hours=12)


def _key(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(stamp):
    """SQLite gives back naive datetimes: they were stored in UTC."""
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)


def start(conn, account_id):
    """A new session of the account; the clear session id goes into the cookie only."""
    token = secrets.token_urlsafe(32)
    stamp = now()
    conn.execute(
        insert(web_session).values(id=_key(token), account_id=account_id, created_at=stamp, seen_at=stamp)
    )
    return token


def owner(conn, token, policy):
    """The account of a live session, or None (an expired session is deleted on the way)."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    row = conn.execute(select(web_session).where(web_session.c.id == _key(token))).first()
    if row is None:
        return None
    stamp = now()
    if stamp - _aware(row.created_at) > policy.lifetime or stamp - _aware(row.seen_at) > policy.idle:
        conn.execute(delete(web_session).where(web_session.c.id == row.id))
        return None
    if stamp - _aware(row.seen_at) >= TOUCH_EVERY:
        conn.execute(update(web_session).where(web_session.c.id == row.id).values(seen_at=stamp))
    return row.account_id


def end(conn, token):
    if isinstance(token, str) and token:
        conn.execute(delete(web_session).where(web_session.c.id == _key(token)))


def end_all(conn, account):
    """End every session of an account (an id or a row); returns how many there were."""
    ident = getattr(account, "id", account)
    return conn.execute(delete(web_session).where(web_session.c.account_id == ident)).rowcount


def live(conn, account):
    ident = getattr(account, "id", account)
    return conn.scalar(select(web_session.c.id).where(web_session.c.account_id == ident).limit(1)) is not None
