"""Bulk job tables: a job is one uploaded file, each good row of it is an item; workers say they are alive."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from ..models import utcnow

JOB_STATUSES = ("queued", "running", "paused", "cancelled", "finished")
ITEM_STATUSES = ("pending", "running", "succeeded", "needs_review", "failed", "cancelled")


class BulkJob(SQLModel, table=True):
    """A bulk generation job; `round` counts its starts (each resume or retry feeds the rows again)."""

    __tablename__ = "bulk_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    status: str = Field(default="queued", max_length=20, index=True)
    settings_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=255, index=True)
    source_name: str = Field(default="", max_length=255)
    total: int = 0
    round: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    answered_at: datetime | None = None  # when the provider first answered a row of the round (ends its probe)
    pause_reason: str | None = Field(default=None, sa_column=Column(Text))  # why it paused itself, if it did


class BulkItem(SQLModel, table=True):
    """One row of a job: its input, state, attempts, error, the content it produced and the lane running it."""

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
    not_before: datetime | None = None  # a retry waits until then
    workflow_id: str | None = Field(default=None, max_length=128)
    error: str | None = Field(default=None, sa_column=Column(Text))
    content_item_id: int | None = Field(default=None, foreign_key="content_item.id")
    latency_ms: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None


class BulkWorker(SQLModel, table=True):
    """A process running bulk workflows (a DBOS executor) and when it last said it was alive."""

    __tablename__ = "bulk_worker"

    executor_id: str = Field(primary_key=True, max_length=128)
    host: str = Field(default="", max_length=255)
    pid: int = 0
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
