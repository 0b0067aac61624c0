"""server-side sessions, sign-in attempts, the first-run setup claim

Revision ID: 0071_identity
Revises: 0001

A database that already has users gets a claimed setup row, so setup can never run on it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0071_identity"
down_revision = "0001"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", _STR(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("token_hash", _STR(length=64), nullable=True),
        sa.Column("handoff_hash", _STR(length=64), nullable=True),
        sa.Column("via", _STR(length=20), nullable=False),
        sa.Column("client", _STR(length=64), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("handoff_hash"),
    )
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])
    op.create_index("ix_user_session_expires_at", "user_session", ["expires_at"])
    op.create_table(
        "signin_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _STR(length=320), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signin_attempt_key", "signin_attempt", ["key"])
    op.create_index("ix_signin_attempt_created_at", "signin_attempt", ["created_at"])
    op.create_table(
        "setup_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _STR(length=64), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("claimed_by", _STR(length=255), nullable=True),
        sa.Column("claimed_at", _TIME(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO setup_claim (id, token_hash, created_at, claimed_by, claimed_at) "
               "SELECT 1, '', CURRENT_TIMESTAMP, 'existing users', CURRENT_TIMESTAMP "
               "WHERE EXISTS (SELECT 1 FROM \"user\")")


def downgrade() -> None:
    op.drop_table("setup_claim")
    op.drop_index("ix_signin_attempt_created_at", table_name="signin_attempt")
    op.drop_index("ix_signin_attempt_key", table_name="signin_attempt")
    op.drop_table("signin_attempt")
    op.drop_index("ix_user_session_expires_at", table_name="user_session")
    op.drop_index("ix_user_session_user_id", table_name="user_session")
    op.drop_table("user_session")
