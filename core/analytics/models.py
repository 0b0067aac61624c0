"""Budget tables: a monthly USD limit per user (or "*" for everyone else) and the admin's policy."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ..models import GenerationLog, utcnow
from . import rollups  # noqa: F401  (the summary tables, on the metadata Alembic compares against)

EVERYONE = "*"


class Budget(SQLModel, table=True):
    """How many USD a user may spend per calendar month (UTC); user "*" is the default for everyone."""

    __tablename__ = "budget"

    user: str = Field(primary_key=True, max_length=255)
    monthly_usd: float = Field(ge=0)
    updated_by: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class BudgetPolicy(SQLModel, table=True):
    """The single policy row: when to warn, and whether spending past 100% is refused."""

    __tablename__ = "budget_policy"

    id: int = Field(default=1, primary_key=True)
    hard_limits: bool = False
    warn_at: float = Field(default=0.8, gt=0, le=1)
    updated_by: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


# Extra indexes on the log table (declared here so they live with the queries that need them): every
# filter column gets a leading index so its distinct values are read by index jumps, and the status one
# lets the top-errors query read only failed rows.
_LOG = GenerationLog.__table__
ANALYTICS_INDEXES = (
    Index("ix_generation_log_model", _LOG.c.model),
    Index("ix_generation_log_language", _LOG.c.language),
    Index("ix_generation_log_status_created", _LOG.c.status, _LOG.c.created_at),
)
