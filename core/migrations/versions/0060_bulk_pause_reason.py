"""bulk_job.pause_reason: why a job paused itself (e.g. the provider account has no quota left)

Revision ID: 0060_bulk_pause_reason
Revises: 0010_bulk
"""

import sqlalchemy as sa
from alembic import op

revision = "0060_bulk_pause_reason"
down_revision = "0010_bulk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bulk_job", sa.Column("pause_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("bulk_job", "pause_reason")
