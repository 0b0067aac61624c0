"""Bulk jobs as DBOS workflows: a job's feeder keeps a window of its rows on the provider's queue; each row
workflow makes one paced attempt and queues the next attempt itself when the failure is worth retrying.

Workflow ids: `bulk-job:{job}:{round}` for a feeder, `{job}:{row}` for a row's first attempt (later attempts
and rounds add `:{round}.{attempt}`), so enqueueing twice runs once. Steps run at least once; every effect
is keyed by job and row: an item moves pending → running only for the workflow that claimed it, and its
content is written in the same transaction that moves it to succeeded, only if it has none yet.
"""

import logging
import random

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID
from sqlalchemy import exists, func, update
from sqlmodel import select

from ..brand.apply import record_score
from ..db import session_scope
from ..errors import ACCOUNT_ERRORS
from ..models import ContentItem, ContentVersion, utcnow
from ..providers import provider_classes
from ..schemas import ContentRequest, ProductRequest
from . import durable
from .jobs import JobOptions
from .models import BulkItem, BulkJob
from .pacing import budget_for, paced

log = logging.getLogger("contentcraft.bulk")
FEED_SECONDS = 0.2
ACTIVE_ITEMS = ("pending", "running")


class StaleRow(Exception):
    """The row was finished by another run of its workflow; this result is dropped."""


def feeder_id(job_id: int, round_: int) -> str:
    return f"bulk-job:{job_id}:{round_}"


def row_workflow_id(job_id: int, row: int, round_: int, attempt: int) -> str:
    """`{job}:{row}` for the first attempt of the first round; later ones say which."""
    return f"{job_id}:{row}" if round_ == 0 and attempt == 1 else f"{job_id}:{row}:{round_}.{attempt}"


def effective_concurrency(options: JobOptions) -> int:
    """The job's concurrency, capped by the provider's own limit (the local model runs one at a time)."""
    cap = getattr(provider_classes().get(options.provider or ""), "max_concurrency", None)
    return min(options.concurrency, cap) if cap else options.concurrency


def backoff_seconds(attempt: int, options: JobOptions, retry_after: float | None) -> float:
    """Exponential backoff with jitter after `attempt` failures, never shorter than Retry-After."""
    delay = min(options.max_backoff_seconds, options.backoff_seconds * 2 ** (attempt - 1))
    delay *= random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


def window(options: JobOptions) -> int:
    """Rows a feeder keeps queued or running: enough for the queue never to run dry between feeds."""
    return max(64, 8 * options.concurrency)


def submit_queued_jobs(engine) -> list[int]:
    """Start a feeder for every queued job (a feeder already started for that round is not started again)."""
    with session_scope(engine) as session:
        queued = session.execute(select(BulkJob.id, BulkJob.round).where(BulkJob.status == "queued")).all()
    for job_id, round_ in queued:
        with SetWorkflowID(feeder_id(job_id, round_)):
            DBOS.enqueue_workflow(durable.JOBS_QUEUE, feed_job, job_id, round_)
    return [job_id for job_id, _ in queued]


@DBOS.workflow(name="contentcraft.bulk.feed_job")
def feed_job(job_id: int, round_: int) -> str:
    """Queue the job's pending rows a window at a time until none is left, or the job is paused or cancelled."""
    plan = begin_job(job_id, round_)
    if plan is None:
        return "skipped"
    cursor, state, probing = 0, "running", True
    while state == "running":
        rows, state, probing = next_rows(job_id, round_, cursor, plan["window"], probing)
        for row, attempts in rows:
            with SetWorkflowID(row_workflow_id(job_id, row, round_, attempts + 1)):
                DBOS.enqueue_workflow(plan["queue"], run_row, job_id, row, round_)
        cursor = rows[-1][0] if rows else cursor
        if state == "running":
            DBOS.sleep(FEED_SECONDS)
    close_job(job_id)
    return state


@DBOS.step(name="contentcraft.bulk.close_job")
def close_job(job_id: int) -> bool:
    """The feeder's last word: a job whose rows all ended before it stopped (or had none left) finishes."""
    return close_job_if_done(durable.current_generator().engine, job_id)


@DBOS.step(name="contentcraft.bulk.begin_job")
def begin_job(job_id: int, round_: int) -> dict | None:
    """Mark the job running for this round and set its provider's queue; None if the round is not current."""
    engine = durable.current_generator().engine
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        if job is None or job.round != round_ or job.status not in {"queued", "running"}:
            return None
        options = JobOptions.model_validate(job.settings_json)
        job.status, job.started_at, job.finished_at = "running", job.started_at or utcnow(), None
        session.add(job)
    name = durable.register_provider_queue(options.provider, effective_concurrency(options), options.rpm)
    return {"queue": name, "window": window(options)}


@DBOS.step(name="contentcraft.bulk.next_rows")
def next_rows(job_id: int, round_: int, cursor: int, size: int, probing: bool) -> tuple[list, str, bool]:
    """Pending rows after `cursor` that fit the window (with their attempts), "running", "drained" or "stopped",
    and whether the first row is still alone: a key with no quota then costs one request, not one per slot."""
    engine = durable.current_generator().engine
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        if job is None or job.status != "running" or job.round != round_:
            return [], "stopped", probing
        in_flight = session.execute(select(func.count()).where(
            BulkItem.job_id == job_id, BulkItem.status.in_(ACTIVE_ITEMS), BulkItem.row_number <= cursor)).scalar_one()
        rows = session.execute(select(BulkItem.row_number, BulkItem.attempts).where(
            BulkItem.job_id == job_id, BulkItem.status == "pending", BulkItem.row_number > cursor)
            .order_by(BulkItem.row_number).limit(size + 1)).all()
    probing = probing and not (cursor and in_flight == 0)  # the first row came back and did not pause the job
    room = max(0, (1 if probing else size) - in_flight)
    taken = [(row, attempts) for row, attempts in rows[:room]]
    return taken, "running" if len(rows) > room else "drained", probing


@DBOS.workflow(name="contentcraft.bulk.run_row")
def run_row(job_id: int, row: int, round_: int) -> str:
    """One attempt at one row, at the provider's pace; a retryable failure queues the next attempt."""
    outcome = attempt_row(job_id, row)  # one step: a row costs DBOS one recorded step, not three
    if outcome["status"] == "retry":
        with SetWorkflowID(row_workflow_id(job_id, row, round_, outcome["attempt"] + 1)), \
                SetEnqueueOptions(delay_seconds=outcome["retry_in"]):
            DBOS.enqueue_workflow(outcome["queue"], run_row, job_id, row, round_)
    return outcome["status"]


@DBOS.step(name="contentcraft.bulk.attempt_row", retries_allowed=False)
def attempt_row(job_id: int, row: int) -> dict:
    """Claim the row, generate it, save or record the failure, and close the job if it was the last row."""
    engine, workflow = durable.current_generator().engine, DBOS.workflow_id
    claim = start_row(engine, job_id, row, workflow)
    if claim is None:
        return {"status": "skipped"}
    outcome = {**claim, **generate_row(job_id, row, workflow)}
    if outcome["status"] in {"succeeded", "failed"}:
        close_job_if_done(engine, job_id)
    return outcome


def start_row(engine, job_id: int, row: int, workflow: str) -> dict | None:
    """Claim the row for this workflow if it is pending and its job running: {"attempt", "queue"}, else None
    (a re-run of this workflow's step finds the row already its own)."""
    job_running = exists().where(BulkJob.id == job_id, BulkJob.status == "running")
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == row,
                                               BulkItem.status == "pending", job_running)
                        .values(status="running", attempts=BulkItem.attempts + 1, workflow_id=workflow,
                                started_at=utcnow()))
        item = session.exec(select(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == row)).one()
        job = session.get(BulkJob, job_id)
    if item.status not in {"running", "succeeded"} or item.workflow_id != workflow:
        return None  # paused, cancelled, done, or taken by another run of this row
    return {"attempt": item.attempts, "queue": durable.queue_name(job.settings_json.get("provider") or "")}


def generate_row(job_id: int, row: int, workflow: str) -> dict:
    """Generate the row's content and save it with the item; on failure, decide whether to retry."""
    generator = durable.current_generator()
    engine = generator.engine
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        item = session.exec(select(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == row)).one()
    if item.status == "succeeded":
        return {"status": "succeeded"}  # a re-run of a step whose first run saved the row
    if item.status != "running" or item.workflow_id != workflow:
        return {"status": "skipped"}
    options = JobOptions.model_validate(job.settings_json)
    try:
        request = (ContentRequest if job.kind == "blog" else ProductRequest).model_validate(item.input_json)
        with paced(budget_for(generator.settings.redis_url), options.provider, options.rpm, options.tpm,
                   generator.settings.max_tokens):
            response = generator.generate(request, job.created_by, provider=options.provider, model=options.model,
                                          save=False, count_rate_limit=False, log_type="bulk",
                                          record=_saver(job, item, workflow))
    except StaleRow:
        log.warning("bulk row result dropped: another run saved it", extra={"event": "bulk_item_stale"})
        return {"status": "skipped"}
    except Exception:  # a bug must fail one row, not stop the job
        log.exception("bulk item crashed", extra={"event": "bulk_item_crashed"})
        _fail(engine, item, workflow, "An unexpected error stopped this row: retry it, and tell your admin if it "
                                      "fails again.", 0)
        return {"status": "failed"}
    if response.status == "succeeded":
        return {"status": "succeeded"}
    if response.error_kind in ACCOUNT_ERRORS:
        _pause_for_account(engine, job_id, item, workflow, response.error or "The provider account refused.")
        log.warning("bulk job paused: provider account", extra={"event": "bulk_job_account_paused"})
        return {"status": "paused"}
    error = response.error or "Generation failed."
    if response.retryable and item.attempts < options.max_attempts:
        retry_in = backoff_seconds(item.attempts, options, response.retry_after)
        _fail(engine, item, workflow, error, response.latency_ms, retry=True)
        return {"status": "retry", "retry_in": retry_in}
    if response.retryable:
        error = f"{error} (gave up after {item.attempts} attempts)"
    _fail(engine, item, workflow, error, response.latency_ms)
    return {"status": "failed"}


def _saver(job: BulkJob, item: BulkItem, workflow: str):
    """Writes the content and marks the item succeeded inside the pipeline's log transaction."""
    def record(session, response) -> None:
        data = response.content or response.product
        content = ContentItem(type="content" if job.kind == "blog" else "product", title=data.title,
                              language=item.input_json.get("language", "en"), author=job.created_by,
                              request_json=item.input_json, data_json=data.model_dump(mode="json"),
                              provider=response.provider or "", model=response.model or "")
        session.add(content)
        session.flush()
        session.add(ContentVersion(item_id=content.id, version=1, data_json=content.data_json,
                                   note=f"bulk job #{job.id}, row {item.row_number}", created_by=job.created_by))
        response.item_id = content.id
        record_score(session, content.language, response)
        marked = session.execute(
            update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                   BulkItem.status == "running", BulkItem.content_item_id.is_(None))
            .values(status="succeeded", content_item_id=content.id, error=None, latency_ms=response.latency_ms,
                    finished_at=utcnow())).rowcount
        if not marked:
            raise StaleRow()
    return record


def _fail(engine, item: BulkItem, workflow: str, error: str, latency_ms: int, retry: bool = False) -> None:
    values = {"error": error, "latency_ms": latency_ms}
    values.update(status="pending") if retry else values.update(status="failed", finished_at=utcnow())
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                               BulkItem.status == "running").values(**values))


def _pause_for_account(engine, job_id: int, item: BulkItem, workflow: str, reason: str) -> None:
    """No row can succeed until a person fixes the account (quota, key): pause the job with the reason; the
    row goes back to pending without counting the attempt, so resuming runs every row not yet done."""
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                               BulkItem.status == "running")
                        .values(status="pending", attempts=BulkItem.attempts - 1, error=reason))
        session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(("queued", "running")))
                        .values(status="paused", pause_reason=reason))


def close_job_if_done(engine, job_id: int) -> bool:
    """A running job with no pending or running row left becomes finished (one atomic statement)."""
    left = exists().where(BulkItem.job_id == job_id, BulkItem.status.in_(ACTIVE_ITEMS))
    with session_scope(engine) as session:
        return bool(session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status == "running", ~left)
                                    .values(status="finished", finished_at=utcnow())).rowcount)
