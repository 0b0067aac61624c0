"""bulk jobs on DBOS: leases give way to workflow ids, rounds and a worker registry

Revision ID: 0150_bulk_durable
Revises: 0060_bulk_pause_reason
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0150_bulk_durable"
down_revision = "0060_bulk_pause_reason"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString
_when = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("bulk_job") as batch:
        batch.drop_column("lease_owner")
        batch.drop_column("heartbeat_at")
        batch.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("answered_at", _when(), nullable=True))
    with op.batch_alter_table("bulk_item") as batch:
        batch.drop_column("lease")
        batch.add_column(sa.Column("workflow_id", _str(length=128), nullable=True))
    op.create_table(
        "bulk_worker",
        sa.Column("executor_id", _str(length=128), nullable=False),
        sa.Column("host", _str(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("heartbeat_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("executor_id"),
    )


def downgrade() -> None:
    op.drop_table("bulk_worker")
    with op.batch_alter_table("bulk_item") as batch:
        batch.drop_column("workflow_id")
        batch.add_column(sa.Column("lease", _str(length=64), nullable=True))
    with op.batch_alter_table("bulk_job") as batch:
        batch.drop_column("round")
        batch.drop_column("answered_at")
        batch.add_column(sa.Column("heartbeat_at", _when(), nullable=True))
        batch.add_column(sa.Column("lease_owner", _str(length=255), nullable=True))
