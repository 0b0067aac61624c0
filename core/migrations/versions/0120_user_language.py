"""each user's dashboard language (NULL: the browser's, then the settings')

Revision ID: 0120_user_language
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0120_user_language"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")
