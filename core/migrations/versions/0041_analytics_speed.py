"""analytics summary tables kept current by triggers on the log, filled from the rows already there

Revision ID: 0041_analytics_speed
Revises: 0040_analytics

The tables, triggers and rebuild come from core.analytics.rollups (one definition shared with the
queries); a later change to those specs needs its own migration calling rollups.install again.
"""

from alembic import op

from core.analytics import rollups

revision = "0041_analytics_speed"
down_revision = "0040_analytics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rollups.install(op.get_bind())


def downgrade() -> None:
    rollups.uninstall(op.get_bind())
