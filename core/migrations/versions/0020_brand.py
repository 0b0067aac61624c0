"""brand voice: profiles, versions, samples and consistency scores

Revision ID: 0020_brand
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020_brand"
down_revision = "0001"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
DateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "brand_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=80), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("language", String(length=8), nullable=False),
        sa.Column("tone", String(length=40), nullable=False),
        sa.Column("vocabulary_level", String(length=20), nullable=False),
        sa.Column("sentence_length", String(length=20), nullable=False),
        sa.Column("prompt_template", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rules_do", sa.JSON(), nullable=False),
        sa.Column("rules_dont", sa.JSON(), nullable=False),
        sa.Column("preferred_words", sa.JSON(), nullable=False),
        sa.Column("banned_words", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", String(length=255), nullable=False),
        sa.Column("created_at", DateTime(), nullable=False),
        sa.Column("updated_at", DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_brand_profile_name", "brand_profile", ["name"], unique=True)
    op.create_table(
        "brand_profile_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("brand_profile.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("note", String(length=255), nullable=False),
        sa.Column("created_by", String(length=255), nullable=False),
        sa.Column("created_at", DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_brand_profile_version_profile", "brand_profile_version", ["profile_id", "version"],
                    unique=True)
    op.create_table(
        "brand_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("brand_profile.id"), nullable=False),
        sa.Column("language", String(length=8), nullable=False),
        sa.Column("source", String(length=255), nullable=False),
        sa.Column("title", String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_brand_sample_profile_id", "brand_sample", ["profile_id"])
    op.create_table(
        "brand_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("profile_name", String(length=80), nullable=False),
        sa.Column("profile_version", sa.Integer(), nullable=False),
        sa.Column("language", String(length=8), nullable=False),
        sa.Column("type", String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("created_at", DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_brand_score_item_id", "brand_score", ["item_id"])
    op.create_index("ix_brand_score_profile_created", "brand_score", ["profile_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_brand_score_profile_created", table_name="brand_score")
    op.drop_index("ix_brand_score_item_id", table_name="brand_score")
    op.drop_table("brand_score")
    op.drop_index("ix_brand_sample_profile_id", table_name="brand_sample")
    op.drop_table("brand_sample")
    op.drop_index("ix_brand_profile_version_profile", table_name="brand_profile_version")
    op.drop_table("brand_profile_version")
    op.drop_index("ix_brand_profile_name", table_name="brand_profile")
    op.drop_table("brand_profile")
