"""Bulk job tables: a job is one uploaded file, each good row of it is an item."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from ..models import utcnow

JOB_STATUSES = ("queued", "running", "paused", "cancelled", "finished")
ITEM_STATUSES = ("pending", "running", "succeeded", "needs_review", "failed", "cancelled")


class BulkJob(SQLModel, table=True):
    """A bulk generation job; `lease_owner` names the runner executing it, if any."""

    __tablename__ = "bulk_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    status: str = Field(default="queued", max_length=20, index=True)
    settings_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=255, index=True)
    source_name: str = Field(default="", max_length=255)
    total: int = 0
    lease_owner: str | None = Field(default=None, max_length=255)
    heartbeat_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    pause_reason: str | None = Field(default=None, sa_column=Column(Text))  # why it paused itself, if it did


class BulkItem(SQLModel, table=True):
    """One row of a job: its validated input, state, attempts, error and the content it produced."""

    __tablename__ = "bulk_item"
    __table_args__ = (
        Index("ix_bulk_item_job_status_row", "job_id", "status", "row_number"),
        Index("ix_bulk_item_job_row", "job_id", "row_number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="bulk_job.id")
    row_number: int
    idempotency_key: str = Field(max_length=64, unique=True)
    input_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    woo_product_id: int | None = None
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    lease: str | None = Field(default=None, max_length=64)
    not_before: datetime | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))
    content_item_id: int | None = Field(default=None, foreign_key="content_item.id")
    latency_ms: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
