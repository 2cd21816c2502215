"""The database: an engine for a SQLAlchemy URL (SQLite by default, PostgreSQL supported), sessions,
and the schema brought up to date by the Alembic migrations shipped in catalog/migrations."""

import os

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select, update
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import sessionmaker

from avocado_cert.base.errors import CertError
from avocado_cert.catalog.models import Revision

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
SQLITE_BUSY_MS = 30000


def sqlite_url(path):
    return "sqlite:///" + os.path.abspath(path)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one writer commits; several server processes share the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def engine_for(url):
    """An engine for a database URL; a malformed URL or missing driver is one CertError line."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    except (ArgumentError, ImportError) as details:
        raise CertError(f"unusable database URL: {details}") from None
    return engine


def _bump_revision(session, _context, _instances):
    """Any change moves the catalog's revision, in the same transaction (cached pages key on it)."""
    if session.new or session.dirty or session.deleted:
        session.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1))


def session_factory(engine):
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _bump_revision)
    return factory


def revision(session):
    return session.scalar(select(Revision.value).where(Revision.id == 1))


def alembic_config(engine):
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine):
    """Bring the schema to the newest migration (a no-op when it already is)."""
    try:
        command.upgrade(alembic_config(engine), "head")
    except OperationalError as details:
        raise CertError(
            f"cannot reach or migrate the database: {str(details.orig).splitlines()[0]}"
        ) from None
