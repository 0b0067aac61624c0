"""WordPress sites and publications

Revision ID: 0030_wordpress
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0030_wordpress"
down_revision = "0001"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "wp_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=80), nullable=False),
        sa.Column("base_url", String(length=500), nullable=False),
        sa.Column("username", String(length=120), nullable=False),
        sa.Column("password_encrypted", sa.Text(), nullable=False),
        sa.Column("woo_key_encrypted", sa.Text(), nullable=True),
        sa.Column("woo_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("created_by", String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wp_site_name", "wp_site", ["name"], unique=True)
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("content_item.id"), nullable=False),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("wp_site.id"), nullable=False),
        sa.Column("kind", String(length=20), nullable=False),
        sa.Column("idempotency_key", String(length=64), nullable=False),
        sa.Column("state", String(length=20), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("url", String(length=1000), nullable=False),
        sa.Column("remote_status", String(length=20), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("published_by", String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "site_id", name="uq_publication_item_site"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_publication_item_id", "publication", ["item_id"])
    op.create_index("ix_publication_site_id", "publication", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_publication_site_id", table_name="publication")
    op.drop_index("ix_publication_item_id", table_name="publication")
    op.drop_table("publication")
    op.drop_index("ix_wp_site_name", table_name="wp_site")
    op.drop_table("wp_site")
