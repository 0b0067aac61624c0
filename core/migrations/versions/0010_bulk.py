"""bulk generation jobs and items

Revision ID: 0010_bulk
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010_bulk"
down_revision = "0001"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString
_when = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "bulk_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(length=20), nullable=False),
        sa.Column("status", _str(length=20), nullable=False),
        sa.Column("settings_json", sa.JSON(), nullable=False),
        sa.Column("created_by", _str(length=255), nullable=False),
        sa.Column("source_name", _str(length=255), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("lease_owner", _str(length=255), nullable=True),
        sa.Column("heartbeat_at", _when(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("started_at", _when(), nullable=True),
        sa.Column("finished_at", _when(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bulk_job_status", "bulk_job", ["status"])
    op.create_index("ix_bulk_job_created_by", "bulk_job", ["created_by"])
    op.create_table(
        "bulk_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("bulk_job.id"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", _str(length=64), nullable=False),
        sa.Column("input_json", sa.JSON(), nullable=False),
        sa.Column("woo_product_id", sa.Integer(), nullable=True),
        sa.Column("status", _str(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease", _str(length=64), nullable=True),
        sa.Column("not_before", _when(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("content_item_id", sa.Integer(), sa.ForeignKey("content_item.id"), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("started_at", _when(), nullable=True),
        sa.Column("finished_at", _when(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_bulk_item_job_status_row", "bulk_item", ["job_id", "status", "row_number"])
    op.create_index("ix_bulk_item_job_row", "bulk_item", ["job_id", "row_number"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_bulk_item_job_row", table_name="bulk_item")
    op.drop_index("ix_bulk_item_job_status_row", table_name="bulk_item")
    op.drop_table("bulk_item")
    op.drop_index("ix_bulk_job_created_by", table_name="bulk_job")
    op.drop_index("ix_bulk_job_status", table_name="bulk_job")
    op.drop_table("bulk_job")
