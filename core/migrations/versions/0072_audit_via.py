"""how a workflow step was taken when not in the dashboard ("via CLI by the OS user X as Y")

Revision ID: 0072_audit_via
Revises: 0003_settings
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0072_audit_via"
down_revision = "0003_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False,
                                           server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("via")
