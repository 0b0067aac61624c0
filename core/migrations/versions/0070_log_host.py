"""the host each generation request went to, on the log row

Revision ID: 0070_log_host
Revises: 0001

A plain ADD COLUMN (no batch copy), so the analytics triggers on generation_log stay in place.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0070_log_host"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("generation_log", sa.Column("host", sqlmodel.sql.sqltypes.AutoString(length=255),
                                              nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("generation_log") as batch:
        batch.drop_column("host")
