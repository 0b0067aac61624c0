"""analytics budgets, the budget policy and filter indexes on the log

Revision ID: 0040_analytics
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0040_analytics"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget",
        sa.Column("user", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("monthly_usd", sa.Float(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user"),
    )
    op.create_table(
        "budget_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hard_limits", sa.Boolean(), nullable=False),
        sa.Column("warn_at", sa.Float(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_generation_log_model", "generation_log", ["model"])
    op.create_index("ix_generation_log_language", "generation_log", ["language"])
    op.create_index("ix_generation_log_status_created", "generation_log", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_generation_log_status_created", table_name="generation_log")
    op.drop_index("ix_generation_log_language", table_name="generation_log")
    op.drop_index("ix_generation_log_model", table_name="generation_log")
    op.drop_table("budget_policy")
    op.drop_table("budget")
