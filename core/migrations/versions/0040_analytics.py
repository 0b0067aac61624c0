"""analytics budgets and the budget policy

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


def downgrade() -> None:
    op.drop_table("budget_policy")
    op.drop_table("budget")
