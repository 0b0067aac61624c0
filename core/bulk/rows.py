"""One bulk row: generate it, save it with its item, or decide its retry or its job's pause. Every effect is keyed
by job, row and lane (a row moves on only while it runs for the lane that claimed it), so running a row again is
safe."""

import logging
import random
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from ..brand.apply import record_score
from ..db import session_scope
from ..errors import ACCOUNT_ERRORS, UNREACHABLE, ProviderUnavailableError
from ..i18n import _, ngettext, use_language
from ..models import ContentItem, ContentVersion, utcnow
from ..reuse import reusing
from ..schemas import ContentRequest, ProductRequest
from . import durable
from .claim import Probe
from .jobs import JobOptions
from .models import BulkItem, BulkJob
from .pacing import budget_for, paced

log = logging.getLogger("contentcraft.bulk")
SAVED = ("succeeded", "needs_review")  # needs_review: saved with the quality gate's warnings, counted apart
REUSE_SECONDS = 2.0  # a row may use a budget or the connected sites read this long ago (core.reuse)
OUTAGE_STREAK = 3  # failed attempts in a row, across rows, with the same outage error that pause the job
OUTAGES = (UNREACHABLE, ProviderUnavailableError.kind)


class StaleRow(Exception):
    """The row was finished by another run of its lane; this result is dropped."""


def backoff_seconds(attempt: int, options: JobOptions, retry_after: float | None) -> float:
    """Exponential backoff with jitter after `attempt` failures, never shorter than Retry-After."""
    delay = min(options.max_backoff_seconds, options.backoff_seconds * 2 ** (attempt - 1))
    delay *= random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


def generate_row(job_id: int, row: int, workflow: str, probing: bool = False, loaded=None, sending=None,
                 slot=None, ahead: bool = False) -> str:
    """Generate the row's content and save it with the item; on failure, decide whether to retry. The row's
    new status: succeeded, needs_review, failed, pending (a retry is due later), paused or skipped.
    probing: one of the round's first rows, which go out before any answer; `loaded`: the (job, item) the claim
    just read, else they are read here; slot: the lane's send slot (`overlap.RowThreads`), held while a call is
    out; sending(): called once this row has it; ahead: the row was taken while another of the lane's rows was
    still out, so the job may have been paused since."""
    generator = durable.current_generator()
    engine = generator.engine
    if loaded is None:
        with session_scope(engine) as session:
            loaded = session.exec(select(BulkJob, BulkItem).join(BulkItem, BulkItem.job_id == BulkJob.id)
                                  .where(BulkJob.id == job_id, BulkItem.row_number == row)).one()
    job, item = loaded
    if item.status != "running" or item.workflow_id != workflow:
        return "skipped"
    options = JobOptions.model_validate(job.settings_json)
    with use_language(options.ui_language):  # its errors and pause reason speak the language of who started it
        return _generate_row(generator, job, item, workflow, options, probing, sending, slot, ahead)


def _generate_row(generator, job: BulkJob, item: BulkItem, workflow: str, options: JobOptions, probing: bool,
                  sending, slot, ahead: bool) -> str:
    engine, job_id = generator.engine, job.id
    try:
        try:
            request = (ContentRequest if job.kind == "blog" else ProductRequest).model_validate(item.input_json)
            probe = Probe(engine, job_id) if probing else None
            with paced(budget_for(generator.settings.redis_url), options.provider, options.rpm, options.tpm,
                       generator.settings.max_tokens, probe, slot), \
                    reusing(REUSE_SECONDS):  # no response cache: rows repeating a topic each get their own draft
                if slot is not None and slot.take() and ahead and handed_back(engine, job_id, item, workflow,
                                                                              durable.stopping()):
                    return "skipped"
                if sending is not None:
                    sending()
                response = generator.generate(request, job.created_by, provider=options.provider,
                                              model=options.model, save=False, count_rate_limit=False,
                                              log_type="bulk", use_cache=False, record=_saver(job, item, workflow))
        except Exception:  # a bug must fail one row, not stop the job
            log.exception("bulk item crashed", extra={"event": "bulk_item_crashed"})
            _fail(engine, item, workflow, _("An unexpected error stopped this row: retry it, and tell your admin "
                                            "if it fails again."), 0)
            return "failed"
        return _after(engine, job_id, item, workflow, probe, options, response)
    finally:  # a failed call kept the slot: the lane's next row waits for this one's pause or retry to be written
        if slot is not None:
            slot.give_back()


def _after(engine, job_id: int, item: BulkItem, workflow: str, probe: Probe | None, options: JobOptions,
           response) -> str:
    """Save nothing (the saver did), or pause the job, schedule a retry or fail the row; its new status."""
    if response.status in SAVED:
        return response.status
    if probe is not None:
        probe.refused()
    if response.error_kind in ACCOUNT_ERRORS:
        _pause_for_account(engine, job_id, item, workflow, response.error or _("The provider account refused."))
        log.warning("bulk job paused: provider account", extra={"event": "bulk_job_account_paused"})
        return "paused"
    unreachable_probe = response.error_kind == UNREACHABLE and probe is not None
    if response.error_kind in OUTAGES and (unreachable_probe or outage_streak(engine, job_id, response.error, item)):
        _pause_for_account(engine, job_id, item, workflow, response.error)
        log.warning("bulk job paused: provider down", extra={"event": "bulk_job_unreachable_paused"})
        return "paused"
    error = response.error or _("Generation failed.")
    if response.retryable and item.attempts < options.max_attempts:
        retry_in = backoff_seconds(item.attempts, options, response.retry_after)
        _fail(engine, item, workflow, error, response.latency_ms, retry_at=utcnow() + timedelta(seconds=retry_in))
        return "pending"
    if response.retryable:
        error = ngettext("{error} (gave up after {attempts} attempt)", "{error} (gave up after {attempts} attempts)",
                         item.attempts).format(error=error, attempts=item.attempts)
    _fail(engine, item, workflow, error, response.latency_ms)
    return "failed"


def handed_back(engine, job_id: int, item: BulkItem, workflow: str, stopping: bool = False) -> bool:
    """For a row taken while the lane's previous call was out: True, with the row handed back, when its job was
    paused or its worker is `stopping` (the row is pending again, its attempt not counted: another worker sends
    it) or the job was cancelled (so is the row) meanwhile."""
    # One round trip, not a transaction's three: this read is on the way out of every row taken ahead.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        status = connection.execute(select(BulkJob.status).where(BulkJob.id == job_id)).scalar()
    if status in ("queued", "running") and not stopping:
        return False
    with session_scope(engine) as session:
        values = dict(status="cancelled", finished_at=utcnow()) if status == "cancelled" else dict(
            status="pending", attempts=BulkItem.attempts - 1)
        session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                               BulkItem.status == "running").values(**values))
    return True


def outage_streak(engine, job_id: int, error: str, item: BulkItem | None = None) -> bool:
    """True when OUTAGE_STREAK attempts in a row, this one included, failed with the same outage error
    (unreachable, or the same server error after the SDK's own retries): the provider is down, so the job
    should pause rather than spend every row's attempts on it. The job's latest ended rows (this one aside)
    count, and so do the row's own earlier attempts when its last one failed so (two lanes retrying two rows
    see only each other); at least one other row must have failed so last."""
    with session_scope(engine) as session:
        latest = session.execute(select(BulkItem.status, BulkItem.error).where(
            BulkItem.job_id == job_id, BulkItem.finished_at.is_not(None))
            .order_by(BulkItem.finished_at.desc()).limit(OUTAGE_STREAK - 1)).all()
        own = session.execute(select(BulkItem.error).where(BulkItem.id == item.id)).scalar() if item else None
    same = [status in ("pending", "failed") and (e or "").startswith(error) for status, e in latest]
    if not same or not same[0]:  # no other row failed so last (a row of its own may just be refused)
        return False
    earlier = item.attempts - 1 if item is not None and (own or "").startswith(error) and own else 0
    return earlier + (same + [False]).index(False) >= OUTAGE_STREAK - 1


def _saver(job: BulkJob, item: BulkItem, workflow: str):
    """Writes the content and ends the item (succeeded or needs_review) inside the pipeline's log transaction."""
    def record(session, response) -> None:
        data = response.content or response.product
        content = ContentItem(type="content" if job.kind == "blog" else "product", title=data.title,
                              language=item.input_json.get("language", "en"), author=job.created_by,
                              request_json=item.input_json, data_json=data.model_dump(mode="json"),
                              provider=response.provider or "", model=response.model or "",
                              warnings=response.warnings)
        session.add(content)
        session.flush()
        session.add(ContentVersion(item_id=content.id, version=1, data_json=content.data_json,
                                   note=f"bulk job #{job.id}, row {item.row_number}", created_by=job.created_by))
        response.item_id = content.id
        record_score(session, content.language, response)
        marked = session.execute(
            update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                   BulkItem.status == "running", BulkItem.content_item_id.is_(None))
            .values(status=response.status, content_item_id=content.id, error=" ".join(response.warnings) or None,
                    latency_ms=response.latency_ms, finished_at=utcnow())).rowcount
        if not marked:
            raise StaleRow()
    return record


def _fail(engine, item: BulkItem, workflow: str, error: str, latency_ms: int, retry_at=None) -> None:
    """The row failed (or, with retry_at, waits for its next attempt then)."""
    values = {"error": error, "latency_ms": latency_ms, "finished_at": utcnow()}
    values.update(status="pending", not_before=retry_at) if retry_at else values.update(status="failed")
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                               BulkItem.status == "running").values(**values))


def _pause_for_account(engine, job_id: int, item: BulkItem, workflow: str, reason: str) -> None:
    """No row can succeed until a person fixes the account (quota, key): pause the job with the reason; the
    row goes back to pending without counting the attempt, so resuming runs every row not yet done. The reason is
    the job's, not the row's: the row shows none, as it would still show it once the account is fixed."""
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                               BulkItem.status == "running")
                        .values(status="pending", attempts=BulkItem.attempts - 1, error=None))
        session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(("queued", "running")))
                        .values(status="paused", pause_reason=reason))
