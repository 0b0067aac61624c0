"""initial tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:21:04.589326
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cache_entry',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('cache_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cache_entry_expires_at'), ['expires_at'], unique=False)

    op.create_table('content_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('request_json', sa.JSON(), nullable=False),
    sa.Column('data_json', sa.JSON(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_item_author'), ['author'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_item_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_item_type'), ['type'], unique=False)

    op.create_table('generation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('tokens', sa.Integer(), nullable=False),
    sa.Column('latency_ms', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('tone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=False),
    sa.Column('completion_tokens', sa.Integer(), nullable=False),
    sa.Column('cost_usd', sa.Float(), nullable=False),
    sa.Column('cache_hit', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('generation_log', schema=None) as batch_op:
        batch_op.create_index('ix_generation_log_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_generation_log_provider_created', ['provider', 'created_at'], unique=False)
        batch_op.create_index('ix_generation_log_type_created', ['type', 'created_at'], unique=False)
        batch_op.create_index('ix_generation_log_user_created', ['user', 'created_at'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_email'), ['email'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_email'))

    op.drop_table('user')
    with op.batch_alter_table('generation_log', schema=None) as batch_op:
        batch_op.drop_index('ix_generation_log_user_created')
        batch_op.drop_index('ix_generation_log_type_created')
        batch_op.drop_index('ix_generation_log_provider_created')
        batch_op.drop_index('ix_generation_log_created_at')

    op.drop_table('generation_log')
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_item_type'))
        batch_op.drop_index(batch_op.f('ix_content_item_status'))
        batch_op.drop_index(batch_op.f('ix_content_item_author'))

    op.drop_table('content_item')
    with op.batch_alter_table('cache_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cache_entry_expires_at'))

    op.drop_table('cache_entry')
