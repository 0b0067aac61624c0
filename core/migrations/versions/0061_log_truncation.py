"""generation_log.truncated: the model stopped at the token limit at least once for this generation

Revision ID: 0061_log_truncation
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0061_log_truncation"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch (table copy) on SQLite would drop the analytics triggers on this table.
    op.add_column("generation_log", sa.Column("truncated", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("generation_log", "truncated")
