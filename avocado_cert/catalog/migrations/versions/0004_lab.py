"""the lab: hosts and certification requests; on PostgreSQL, the task queue's schema

Revision ID: 0004
Revises: 0003
"""

import importlib.resources

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _queue_schema():
    """procrastinate's own schema (its tables and functions), in the catalog's PostgreSQL database."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # the queue needs PostgreSQL; a SQLite catalog shows the lab but cannot dispatch
    if bind.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
        return
    try:
        sql = importlib.resources.files("procrastinate.sql").joinpath("schema.sql").read_text("utf-8")
    except ModuleNotFoundError:
        return  # the catalog without the lab extra: the queue's schema is applied by the first worker
    # Through the driver's own cursor, without parameters: the schema's '%' are not placeholders.
    bind.connection.dbapi_connection.cursor().execute(sql)


def upgrade():
    op.create_table(
        "lab_host",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("arch", sa.String(length=32), nullable=False),
        sa.Column("driver", sa.String(length=32), nullable=False),
        sa.Column("inventory", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("lab_host", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_host_arch"), ["arch"], unique=False)
    op.create_table(
        "lab_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("criteria", sa.String(length=32), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("log", sa.Text(), nullable=False),
        sa.Column("certification_id", sa.Integer(), nullable=True),
        sa.Column("queue_job", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["certification_id"], ["certification.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["host_id"], ["lab_host.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lab_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_request_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lab_request_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lab_request_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_lab_request_vendor_id"), ["vendor_id"], unique=False)
    _queue_schema()


def downgrade():
    op.drop_table("lab_request")
    op.drop_table("lab_host")
