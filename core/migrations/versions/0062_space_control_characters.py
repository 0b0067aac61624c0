"""content stored before control characters were spaced: vertical tabs, form feeds… become spaces

Revision ID: 0062_space_control_characters
Revises: 0002_dashboard

New content is cleaned as it is stored (core.models); this cleans what was stored earlier, so exports
and WordPress never see the raw characters. Nothing to undo: the raw characters are not wanted back.
"""

import sqlalchemy as sa
from alembic import op

from core.text import clean_controls

revision = "0062_space_control_characters"
down_revision = "0002_dashboard"
branch_labels = None
depends_on = None

TABLES = {"content_item": ("title", "data_json", "request_json"), "content_version": ("data_json",)}


def upgrade() -> None:
    bind = op.get_bind()
    for name, columns in TABLES.items():
        table = sa.table(name, sa.column("id"), *(sa.column(c, sa.String if c == "title" else sa.JSON)
                                                  for c in columns))
        for row in bind.execute(sa.select(table)).mappings().all():
            cleaned = {column: clean_controls(row[column]) for column in columns}
            if any(cleaned[column] != row[column] for column in columns):
                bind.execute(table.update().where(table.c.id == row["id"]).values(**cleaned))


def downgrade() -> None:
    pass
