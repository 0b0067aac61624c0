"""API access: tokens, idempotency records, the per-call audit log

Revision ID: 0090_api_access
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0090_api_access"
down_revision = "0001"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("name", String(length=80), nullable=False),
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("prefix", String(length=16), nullable=False),
        sa.Column("role", String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", String(length=255), nullable=False),
        sa.Column("fingerprint", String(length=64), nullable=False),
        sa.Column("state", String(length=20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_idempotency_record_user_key", "idempotency_record", ["user_id", "key"], unique=True)
    op.create_index("ix_idempotency_record_created_at", "idempotency_record", ["created_at"])
    op.create_table(
        "api_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("user", String(length=255), nullable=False),
        sa.Column("method", String(length=10), nullable=False),
        sa.Column("endpoint", String(length=120), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("problem", String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_call_created_at", "api_call", ["created_at"])
    op.create_index("ix_api_call_endpoint_created", "api_call", ["endpoint", "created_at"])


def downgrade() -> None:
    op.drop_table("api_call")
    op.drop_table("idempotency_record")
    op.drop_index("ix_api_token_user_id", "api_token")
    op.drop_table("api_token")
