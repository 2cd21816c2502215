"""Origin of a result: lab keys, the mode a certification was run in, and the run each holds.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("vendor_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lab", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin_mode", sa.String(length=16), server_default="offline", nullable=False)
        )
    run_identity = op.create_table(
        "run_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certification_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("results_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["certification_id"], ["certification.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("certification_id"),
        sa.UniqueConstraint("job_id"),
        sa.UniqueConstraint("results_sha256"),
    )
    # Certifications stored before: each job held by its first certification (the results' hash is
    # not in the table; it is recorded from now on).
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT MIN(id) AS id, job_id FROM certification "
            "WHERE bundle_id IS NOT NULL AND job_id != '' GROUP BY job_id"
        )
    ).fetchall()
    if rows:
        op.bulk_insert(run_identity, [{"certification_id": row.id, "job_id": row.job_id} for row in rows])


def downgrade():
    op.drop_table("run_identity")
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.drop_column("origin_mode")
    with op.batch_alter_table("vendor_key", schema=None) as batch_op:
        batch_op.drop_column("lab")
