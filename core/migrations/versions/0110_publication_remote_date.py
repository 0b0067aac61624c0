"""The remote post's own date, so the Library can say "scheduled for …"

Revision ID: 0110_publication_remote_date
Revises: 0030_wordpress
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0110_publication_remote_date"
down_revision = "0030_wordpress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publication") as batch:
        batch.add_column(sa.Column("remote_date", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publication") as batch:
        batch.drop_column("remote_date")
