"""Refusing repeated authentication failures: failed sign-ins count against the client and the
account, rejected API tokens against the client. Over the limit within the window, further attempts
are refused (HTTP 429, with Retry-After) without checking the credentials at all.

The counts live in the database, so every worker process of the server (and every server of one
database) shares them."""

import datetime
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, and_, delete, func, insert, select

from avocado_cert.catalog.models import Base, now

auth_failure = Table(
    "auth_failure",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(16), nullable=False),  # "client" (an address) or "account" (a username)
    Column("subject", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_auth_failure_subject", "scope", "subject", "at"),
)
CLIENT, ACCOUNT = "client", "account"


@dataclass
class Policy:
    window: datetime.timedelta = datetime.timedelta(minutes=15)
    per_client: int = 10
    per_account: int = 10

    def limit(self, scope):
        return self.per_client if scope == CLIENT else self.per_account


def _subjects(client, account):
    found = [(CLIENT, (client or "unknown")[:200])]
    if account:
        found.append((ACCOUNT, str(account)[:200]))
    return found


def retry_after(conn, policy, client, account=None):
    """Seconds until an attempt is allowed again (0: allowed now) and the scope that refused it."""
    start = now() - policy.window
    for scope, subject in _subjects(client, account):
        limit = policy.limit(scope)
        stamps = conn.scalars(
            select(auth_failure.c.at)
            .where(
                auth_failure.c.scope == scope, auth_failure.c.subject == subject, auth_failure.c.at > start
            )
            .order_by(auth_failure.c.at.desc())
            .limit(limit)
        ).all()
        if len(stamps) >= limit:
            oldest = stamps[-1] if stamps[-1].tzinfo else stamps[-1].replace(tzinfo=datetime.timezone.utc)
            return max(int((oldest + policy.window - now()).total_seconds()) + 1, 1), scope
    return 0, None


def record(conn, policy, client, account=None):
    """Count one failure (and forget this subject's failures older than the window)."""
    stamp = now()
    for scope, subject in _subjects(client, account):
        conn.execute(
            delete(auth_failure).where(
                and_(
                    auth_failure.c.scope == scope,
                    auth_failure.c.subject == subject,
                    auth_failure.c.at <= stamp - policy.window,
                )
            )
        )
        conn.execute(insert(auth_failure).values(scope=scope, subject=subject, at=stamp))


def failures(conn, scope, subject):
    return conn.scalar(
        select(func.count()).where(auth_failure.c.scope == scope, auth_failure.c.subject == subject)
    )
