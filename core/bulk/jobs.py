"""Creating bulk jobs from files, controlling them (pause, resume, cancel, retry) and reading progress."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..auth import allowed, require
from ..brand.profiles import profile_keys
from ..db import session_scope
from ..errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from ..models import ContentItem, User, utcnow
from ..providers import provider_classes
from . import durable
from .models import BulkItem, BulkJob
from .validation import Report, scan
from ..i18n import UI_LANGUAGES, _, current_language

INSERT_BATCH = 1000
RATE_WINDOW_SECONDS = 120


class JobOptions(BaseModel):
    """How a job runs: which provider, how many items at once, the provider's limits, retries."""

    provider: str | None = None
    model: str | None = None
    concurrency: int = Field(16, ge=1, le=64)
    rpm: float | None = Field(None, ge=1, description="Requests per minute the provider allows.")
    tpm: float | None = Field(None, ge=1, description="Tokens per minute the provider allows.")
    max_attempts: int = Field(4, ge=1, le=20)
    backoff_seconds: float = Field(2.0, ge=0, description="First retry delay; doubles each attempt.")
    max_backoff_seconds: float = Field(60.0, ge=0)
    ui_language: Literal[UI_LANGUAGES] | None = Field(  # type: ignore[valid-type]
        None, description="The language of the job's row errors and pause reason; default: that of whoever "
                          "starts it (their dashboard language, the CLI's locale; English for the API).")


@dataclass
class Progress:
    """A job's counts, pace and estimated time left, read from the database."""

    job_id: int
    kind: str
    status: str
    total: int
    pending: int
    running: int
    succeeded: int
    failed: int
    needs_review: int
    cancelled: int
    rate_per_min: float | None
    eta_seconds: float | None
    created_by: str
    options: dict
    pause_reason: str | None = None

    @property
    def done(self) -> int:
        """Rows that ran to an end (saved or failed); cancelled rows never ran, so they are not done."""
        return self.succeeded + self.needs_review + self.failed

    @property
    def remaining(self) -> int:
        return self.pending + self.running

    @property
    def fraction(self) -> float:
        """The share of rows done, 0.0–1.0 (a cancelled job's bar stops where its rows stopped)."""
        return self.done / self.total if self.total else 1.0


def create_job(generator, data: bytes, kind: str, user: "str | User", options: JobOptions | None = None,
               overrides: dict[str, str] | None = None, source_name: str = "") -> tuple[int, Report]:
    """Validate the file and store a queued job with one item per good row, all in one transaction.

    `user` is a signed-in User (its role is checked) or, from the command line, the name to log under.
    Any worker (the dashboard's, `python -m core worker`, a CLI run) then runs it.
    """
    language = current_language()  # the workers write the job's messages in it: the dashboard's, the CLI's locale
    if isinstance(user, User):
        require(user, "generate")
        language = user.language or language  # ... or the one the user chose (an API call has no other)
        user = user.email
    options = (options or JobOptions()).model_copy()
    options.provider = options.provider or generator.settings.provider
    options.ui_language = options.ui_language or language
    if options.provider not in provider_classes():
        raise ValidationFailedError(_("Unknown provider {provider!r}: choose one of {provider_classes}.")
                                    .format(provider=options.provider,
                                            provider_classes=', '.join(sorted(provider_classes()))))
    report, good_rows = scan(data, kind, overrides, profile_keys(generator.engine))
    generator.limiter.hit(user)  # a job counts once against the user's interactive limit
    with session_scope(generator.engine) as session:
        job = BulkJob(kind=kind, status="queued", settings_json=options.model_dump(mode="json"),
                      created_by=user, source_name=source_name[:255])
        session.add(job)
        session.flush()
        batch = []
        for row in good_rows:
            batch.append({"job_id": job.id, "row_number": row.row, "input_json": row.request,
                          "woo_product_id": row.woo_product_id, "status": "pending", "attempts": 0,
                          "latency_ms": 0, "idempotency_key": idempotency_key(job.id, row.row)})
            if len(batch) >= INSERT_BATCH:
                session.execute(insert(BulkItem.__table__), batch)
                batch = []
        if batch:
            session.execute(insert(BulkItem.__table__), batch)
        if report.good == 0:
            raise ValidationFailedError(_("None of the {total} rows is valid, so no job was started: fix the rows "
                                          "listed in the report and upload the file again.")
                                        .format(total=report.total))
        job.total = report.good
        session.add(job)
    durable.wake()
    return job.id, report


def idempotency_key(job_id: int, row_number: int) -> str:
    """A stable key for one item: the same job and row always give the same key, across restarts."""
    return hashlib.sha256(f"contentcraft-bulk:{job_id}:{row_number}".encode()).hexdigest()


def get_job(engine: Engine, job_id: int) -> BulkJob:
    """The job, or NotFoundError."""
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        if job is None:
            raise NotFoundError(_("There is no bulk job #{job_id}.").format(job_id=job_id))
        return job


def list_jobs(engine: Engine, user: str | None = None, limit: int = 50) -> list[BulkJob]:
    """The newest jobs, all users' or one user's."""
    with session_scope(engine) as session:
        query = select(BulkJob).order_by(BulkJob.id.desc()).limit(limit)
        if user is not None:
            query = query.where(BulkJob.created_by == user)
        return list(session.exec(query))


def check_control(job: BulkJob, actor: User | None) -> None:
    """Its creator, editors and admins may control a job; None is the command line's operator."""
    if actor is None:
        return
    require(actor, "generate")
    if actor.email != job.created_by and not allowed(actor.role, "review"):
        raise PermissionDeniedError(_("Job #{id} was started by someone else: only they, editors and admins may "
                                      "see or change it.").format(id=job.id))


def pause_job(engine: Engine, job_id: int, actor: User | None = None) -> BulkJob:
    """Stop starting new items; items already running finish."""
    return _set_status(engine, job_id, "paused", allowed={"queued", "running"}, actor=actor)


def resume_job(engine: Engine, job_id: int, actor: User | None = None) -> BulkJob:
    """Queue a paused job again (a worker or `bulk resume` picks it up)."""
    job = get_job(engine, job_id)
    check_control(job, actor)
    if job.status in {"queued", "running"}:
        return job  # already waiting for, or being fed by, a worker
    job = _set_status(engine, job_id, "queued", allowed={"paused"}, actor=actor)
    with session_scope(engine) as session:
        session.execute(update(BulkJob).where(BulkJob.id == job_id).values(pause_reason=None))
    return job


def cancel_job(engine: Engine, job_id: int, actor: User | None = None) -> BulkJob:
    """Cancel every item not started yet; items already running finish."""
    job = _set_status(engine, job_id, "cancelled", allowed={"queued", "running", "paused"}, actor=actor)
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.status == "pending")
                        .values(status="cancelled", finished_at=utcnow()))
    return job


def retry_failed(engine: Engine, job_id: int, actor: User | None = None,
                 statuses: tuple[str, ...] = ("failed",)) -> int:
    """Put the failed items (or those in `statuses`, e.g. "needs_review") back in the queue; returns how many.

    A needs_review row's first draft stays in the Library; the retry saves a new item for the row.
    """
    check_control(get_job(engine, job_id), actor)
    with session_scope(engine) as session:
        count = session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.status.in_(statuses))
                                .values(status="pending", attempts=0, error=None, finished_at=None,
                                        not_before=None, content_item_id=None)).rowcount
        if count:  # a paused job keeps its state; any other is fed again, in a new round
            session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status != "paused")
                            .values(status="queued", round=BulkJob.round + 1, finished_at=None))
    durable.wake()
    return count


def retry_needs_review(engine: Engine, job_id: int, actor: User | None = None) -> int:
    """Write the rows the quality gate marked needs_review again; returns how many."""
    return retry_failed(engine, job_id, actor, statuses=("needs_review",))


def _set_status(engine: Engine, job_id: int, status: str, allowed: set[str], actor: User | None) -> BulkJob:
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        if job is None:
            raise NotFoundError(_("There is no bulk job #{job_id}.").format(job_id=job_id))
        check_control(job, actor)
        if job.status == status:
            return job
        if job.status not in allowed:
            raise ValidationFailedError(_refusal(status).format(job_id=job_id, status=_(job.status)))
        job.status = status
        if status == "queued":
            job.round += 1  # a new feeder; rows still queued from the last round find the row taken or skip
        session.add(job)
    durable.wake()
    return job


def _refusal(status: str) -> str:
    if status == "paused":
        return _("Job #{job_id} is {status}; it cannot be paused.")
    if status == "cancelled":
        return _("Job #{job_id} is {status}; it cannot be cancelled.")
    return _("Job #{job_id} is {status}; it cannot be resumed.")


def progress(engine: Engine, job_id: int, now: datetime | None = None) -> Progress:
    """Counts per status, the pace over the last two minutes and the time left at that pace."""
    job, now = get_job(engine, job_id), now or utcnow()
    with session_scope(engine) as session:
        counts = dict(session.execute(select(BulkItem.status, func.count()).where(BulkItem.job_id == job_id)
                                      .group_by(BulkItem.status)).all())
        # rows finished before a resume are not part of the pace since it
        since = max(filter(None, (job.started_at, now - timedelta(seconds=RATE_WINDOW_SECONDS))))
        recent = session.execute(
            select(func.count()).where(
                BulkItem.job_id == job_id, BulkItem.finished_at >= since,
                BulkItem.status.in_(("succeeded", "needs_review", "failed")))).scalar_one()
    remaining = counts.get("pending", 0) + counts.get("running", 0)
    # No pace for a job that is not running: over a pause it would only sink towards zero.
    rate = _rate(recent, job.started_at, now) if job.status == "running" else None
    eta = remaining / rate * 60 if rate and remaining else None
    return Progress(job_id=job_id, kind=job.kind, status=job.status, total=job.total,
                    pending=counts.get("pending", 0), running=counts.get("running", 0),
                    succeeded=counts.get("succeeded", 0), failed=counts.get("failed", 0),
                    needs_review=counts.get("needs_review", 0),
                    cancelled=counts.get("cancelled", 0), rate_per_min=rate, eta_seconds=eta,
                    created_by=job.created_by, options=job.settings_json,
                    pause_reason=job.pause_reason if job.status == "paused" else None)


def _rate(recent: int, started: datetime | None, now: datetime) -> float | None:
    """Items per minute over the recent window (or since the start, if that is shorter)."""
    if not recent:
        return None
    window_start = max(filter(None, (started, now - timedelta(seconds=RATE_WINDOW_SECONDS))))
    elapsed = (now - window_start).total_seconds()
    return recent / elapsed * 60 if elapsed > 0 else None


def items(engine: Engine, job_id: int, status: str | None = None, limit: int | None = None) -> list[dict]:
    """The per-row status table: row, status, attempts, error, timing and the content's title."""
    with session_scope(engine) as session:
        query = (select(BulkItem, ContentItem.title).join(ContentItem, BulkItem.content_item_id == ContentItem.id,
                                                          isouter=True)
                 .where(BulkItem.job_id == job_id).order_by(BulkItem.row_number))
        if status:
            query = query.where(BulkItem.status == status)
        if limit:
            query = query.limit(limit)
        return [{"row": item.row_number, "status": item.status, "attempts": item.attempts,
                 "input": _summary(item.input_json), "title": title or "", "error": item.error or "",
                 "latency_ms": item.latency_ms, "content_item_id": item.content_item_id}
                for item, title in session.execute(query).all()]


def _summary(request: dict) -> str:
    return str(request.get("topic") or request.get("name") or "")
