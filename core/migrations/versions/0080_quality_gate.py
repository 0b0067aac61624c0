"""quality gate: the language a result was detected in on the log, and the warnings on each item

Revision ID: 0080_quality_gate
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0080_quality_gate"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy), so the analytics triggers on generation_log stay in place.
    op.add_column("generation_log", sa.Column("detected_language", sqlmodel.sql.sqltypes.AutoString(length=8),
                                              nullable=False, server_default=""))
    op.add_column("content_item", sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("content_item", "warnings")
    op.drop_column("generation_log", "detected_language")
