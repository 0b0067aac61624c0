"""Bulk jobs as DBOS workflows: a job runs as `concurrency` lane workflows on its provider's queue; each lane
claims the next due row, generates it in one recorded step, and loops until no row is left.

Workflow ids: `bulk-lane:{job}:{round}:{lane}` (a round is one start, resume or retry of the job), so starting
a job twice runs its lanes once. A step runs rows for up to STEP_SECONDS: no queue poll nor checkpoint between
rows, and once the round's first answer came back each next row is taken in one statement (`claim`). Steps run
at least once; every effect is keyed by job and row: an item moves pending → running only for the lane that
claimed it, and its content is written in the transaction that ends it, only if it has none yet.
A lane that dies with its worker is recovered by another worker and resumes the row it held; a worker that
stops cleanly hands its lanes over as child workflows (`{lane id}-{n}`), which the live workers take at once.
"""

import logging
import math
import random
import time
from datetime import timedelta

from dbos import DBOS, SetWorkflowID
from sqlalchemy import func, or_, update
from sqlmodel import select

from ..brand.apply import record_score
from ..db import session_scope
from ..errors import ACCOUNT_ERRORS, UNREACHABLE, ContentCraftError
from ..i18n import _, ngettext
from ..models import ContentItem, ContentVersion, GenerationLog, utcnow
from ..providers import get_provider, provider_classes
from ..reuse import reusing
from ..schemas import ContentRequest, ProductRequest
from . import durable
from .claim import MAX_WAIT_SECONDS, claim_row, close_statement, take_next_row
from .jobs import JobOptions
from .models import BulkItem, BulkJob, BulkWorker
from .pacing import budget_for, paced

log = logging.getLogger("contentcraft.bulk")
SAVED = ("succeeded", "needs_review")  # needs_review: saved with the quality gate's warnings, counted apart
ENDED = {*SAVED, "failed"}
ENDED_WORKFLOWS = ("SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED")
LIVE_WORKFLOWS = ("PENDING", "ENQUEUED", "DELAYED")
RECENT_ANSWER_SECONDS = 120  # a provider that answered this recently needs no probe row
STEP_SECONDS = 5.0  # a lane records a step (its progress in DBOS) at least this often
REUSE_SECONDS = 2.0  # a row may use a budget or the connected sites read this long ago (core.reuse)
UNREACHABLE_STREAK = 3  # rows ended in a row by an unreachable provider after which the job pauses
MAX_LANE_ERRORS = 5  # consecutive unexpected errors after which a lane stops (the keeper feeds the job again)


class StaleRow(Exception):
    """The row was finished by another run of its lane; this result is dropped."""


def lane_id(job_id: int, round_: int, lane: int) -> str:
    return f"bulk-lane:{job_id}:{round_}:{lane}"


def effective_concurrency(options: JobOptions) -> int:
    """The job's concurrency, capped by the provider's own limit (the local model runs one at a time)."""
    cap = getattr(provider_classes().get(options.provider or ""), "max_concurrency", None)
    return min(options.concurrency, cap) if cap else options.concurrency


def backoff_seconds(attempt: int, options: JobOptions, retry_after: float | None) -> float:
    """Exponential backoff with jitter after `attempt` failures, never shorter than Retry-After."""
    delay = min(options.max_backoff_seconds, options.backoff_seconds * 2 ** (attempt - 1))
    delay *= random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


def submit_queued_jobs(engine) -> list[int]:
    """Start the lanes of every queued job on its provider's queue, then mark it running; the ids started."""
    with session_scope(engine) as session:
        queued = session.execute(select(BulkJob.id, BulkJob.round, BulkJob.settings_json)
                                 .where(BulkJob.status == "queued").order_by(BulkJob.id)).all()
    started = []
    for job_id, round_, settings in queued:
        options, now = JobOptions.model_validate(settings), utcnow()
        with session_scope(engine) as session:  # one worker wins the job; a crash before its lanes are queued
            marked = session.execute(  # leaves it running with none, which the keeper's sweep feeds again
                update(BulkJob).where(BulkJob.id == job_id, BulkJob.status == "queued", BulkJob.round == round_)
                .values(status="running", started_at=now, finished_at=None,
                        answered_at=now if answered_lately(session, options.provider, now) else None)).rowcount
        if not marked:
            continue
        queue = durable.queue_for(options.provider or "")
        durable.share_queue(queue, lanes_per_worker(engine, queue))
        for lane in range(effective_concurrency(options)):  # the same ids again would enqueue nothing
            with SetWorkflowID(lane_id(job_id, round_, lane)):
                DBOS.enqueue_workflow(queue, run_lane, job_id, round_, lane)
        started.append(job_id)
    return started


def answered_lately(session, provider: str | None, now) -> bool:
    """True when the provider's latest call (same name or host, any user, within RECENT_ANSWER_SECONDS) was
    answered: the job's rows may then all go out at once, with no probe. Any failure since (a failure that
    no provider answered is logged with none, so it counts too), or an account this worker's provider still
    cools down from, makes the round's first row go out alone again."""
    generator = durable.current_generator()
    try:
        chosen = get_provider(provider or generator.settings.provider, generator.settings)
        host = chosen.host()
    except ContentCraftError:
        return False
    if chosen.unusable_until > time.monotonic():
        return False
    latest = session.execute(select(GenerationLog.status).where(
        GenerationLog.created_at >= now - timedelta(seconds=RECENT_ANSWER_SECONDS), ~GenerationLog.cache_hit,
        or_(GenerationLog.provider.in_((chosen.name, "")), *([GenerationLog.host == host] if host else [])))
        .order_by(GenerationLog.created_at.desc(), GenerationLog.id.desc()).limit(1)).scalar()
    return latest in SAVED


def lanes_per_worker(engine, queue: str) -> int:
    """The queue's running lanes shared out over the live workers, so that each worker takes its part."""
    stale = utcnow() - timedelta(seconds=durable.STALE_SECONDS)
    with session_scope(engine) as session:
        live = session.execute(select(func.count()).select_from(BulkWorker)
                               .where(BulkWorker.heartbeat_at >= stale)).scalar_one()
        active = session.execute(select(BulkJob.settings_json).where(BulkJob.status == "running")).scalars().all()
    options = [JobOptions.model_validate(s) for s in active]
    total = sum(effective_concurrency(o) for o in options if durable.queue_for(o.provider or "") == queue)
    return max(1, math.ceil(max(total, 1) / max(live, 1)))


@DBOS.workflow(name="contentcraft.bulk.run_lane")
def run_lane(job_id: int, round_: int, lane: int) -> str:
    """Rows one after another until none is left or the job stops; returns why it stopped.

    Whatever goes wrong around a generation (the database, a bug), the row the lane holds ends failed with a
    one-line reason, and the lane goes on: no row is left running and the job can finish.
    """
    with durable.lane_running() as stopped:
        errors = 0
        while not stopped():
            try:
                outcome = lane_step(job_id, round_, durable.lanes_epoch())
                errors = 0
            except Exception as exc:
                log.exception("bulk lane step failed", extra={"event": "bulk_lane_step_failed"})
                end_held_row(job_id, DBOS.workflow_id, crash_reason(exc))
                errors += 1
                if errors >= MAX_LANE_ERRORS:
                    return "failed"
                DBOS.sleep(MAX_WAIT_SECONDS * errors)
                continue
            if outcome["status"] == "stop":
                return outcome["reason"]
            if outcome["status"] == "wait" and outcome["seconds"] > 0:
                DBOS.sleep(outcome["seconds"])
        hand_over(job_id, round_, lane)
        return "handed over"


def hand_over(job_id: int, round_: int, lane: int) -> None:
    """Between rows on a stopping worker: queue this lane again (a child workflow, whose id a recovery of this
    one would find taken), so that a live worker goes on with it within a queue poll."""
    with session_scope(durable.current_generator().engine) as session:
        settings = session.execute(select(BulkJob.settings_json).where(
            BulkJob.id == job_id, BulkJob.round == round_, BulkJob.status.in_(("queued", "running")))).scalar()
    if settings is not None:  # else the job stopped or moved on: nothing to go on with
        queue = durable.queue_for(JobOptions.model_validate(settings).provider or "")
        DBOS.enqueue_workflow(queue, run_lane, job_id, round_, lane)


def crash_reason(exc: BaseException) -> str:
    """The one line a row failed by an unexpected error shows (the traceback goes to the log)."""
    return _("This row stopped on an unexpected error ({error}): retry it, and tell your admin if it fails "
             "again.").format(error=type(exc).__name__)


@DBOS.step(name="contentcraft.bulk.lane_step", retries_allowed=False)
def lane_step(job_id: int, round_: int, epoch: int) -> dict:
    """Rows one after another for up to STEP_SECONDS: claim a row (or the one this lane held when its worker
    died), generate it, save it or record the failure. {"status": "row", "rows"}, or the claim's "wait" or
    "stop" (the last lane to find no row left closes the job). Re-running the step is safe: every effect is
    keyed by job, row and lane, so a row costs no checkpoint of its own."""
    engine, workflow, started = durable.current_generator().engine, DBOS.workflow_id, time.monotonic()
    rows, facts = 0, None
    while rows == 0 or (time.monotonic() - started < STEP_SECONDS and durable.lanes_epoch() == epoch):
        # After a row of a round that is past its probe, the next is taken in one statement; else, or if there
        # is none to take now, the full look says whether to wait or stop.
        claim = (facts and take_next_row(engine, job_id, round_, workflow, facts)) or claim_row(
            engine, job_id, round_, workflow)
        if claim["status"] != "row":
            return {**claim, "rows": rows}
        facts = None if claim.get("probing", True) else claim["job"]
        generate_row(job_id, claim["row"], workflow, claim.get("probing", False), claim.get("loaded"))
        rows += 1
    return {"status": "row", "rows": rows}


def _mark_answered(engine, job_id: int):
    """on_answer for the round's first row: the other lanes need not wait for it to be checked and saved."""
    def mark() -> None:
        with session_scope(engine) as session:
            session.execute(update(BulkJob).where(BulkJob.id == job_id).values(answered_at=utcnow()))
    return mark


def generate_row(job_id: int, row: int, workflow: str, probing: bool = False, loaded=None) -> str:
    """Generate the row's content and save it with the item; on failure, decide whether to retry. The row's
    new status: succeeded, needs_review, failed, pending (a retry is due later), paused or skipped.
    `loaded`: the (job, item) the claim just read, else they are read here."""
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
    try:
        request = (ContentRequest if job.kind == "blog" else ProductRequest).model_validate(item.input_json)
        with paced(budget_for(generator.settings.redis_url), options.provider, options.rpm, options.tpm,
                   generator.settings.max_tokens, on_answer=_mark_answered(engine, job_id) if probing else None), \
                reusing(REUSE_SECONDS):  # no response cache: rows repeating a topic each get a draft of their own
            response = generator.generate(request, job.created_by, provider=options.provider, model=options.model,
                                          save=False, count_rate_limit=False, log_type="bulk", use_cache=False,
                                          record=_saver(job, item, workflow))
    except Exception:  # a bug must fail one row, not stop the job
        log.exception("bulk item crashed", extra={"event": "bulk_item_crashed"})
        _fail(engine, item, workflow, _("An unexpected error stopped this row: retry it, and tell your admin if "
                                        "it fails again."), 0)
        return "failed"
    if response.status in SAVED:
        return response.status
    if response.error_kind in ACCOUNT_ERRORS:
        _pause_for_account(engine, job_id, item, workflow, response.error or _("The provider account refused."))
        log.warning("bulk job paused: provider account", extra={"event": "bulk_job_account_paused"})
        return "paused"
    if response.error_kind == UNREACHABLE and (probing or unreachable_streak(engine, job_id, response.error)):
        _pause_for_account(engine, job_id, item, workflow, response.error)
        log.warning("bulk job paused: provider unreachable", extra={"event": "bulk_job_unreachable_paused"})
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


def unreachable_streak(engine, job_id: int, error: str) -> bool:
    """True when the job's latest UNREACHABLE_STREAK - 1 ended rows (this one aside) failed with the same
    unreachable-provider error: nothing answers, so the job should pause rather than fail every row."""
    with session_scope(engine) as session:
        latest = session.execute(select(BulkItem.status, BulkItem.error).where(
            BulkItem.job_id == job_id, BulkItem.finished_at.is_not(None))
            .order_by(BulkItem.finished_at.desc()).limit(UNREACHABLE_STREAK - 1)).all()
    return len(latest) == UNREACHABLE_STREAK - 1 and all(
        status in ("pending", "failed") and (e or "").startswith(error) for status, e in latest)


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
            .values(status=response.status, content_item_id=content.id, error="; ".join(response.warnings) or None,
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
    row goes back to pending without counting the attempt, so resuming runs every row not yet done."""
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.workflow_id == workflow,
                                               BulkItem.status == "running")
                        .values(status="pending", attempts=BulkItem.attempts - 1, error=reason))
        session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(("queued", "running")))
                        .values(status="paused", pause_reason=reason))


def close_job_if_done(engine, job_id: int) -> bool:
    """A running job with no pending or running row left becomes finished; whether it did now."""
    with session_scope(engine) as session:
        return bool(session.execute(close_statement(job_id)).rowcount)


@DBOS.step(name="contentcraft.bulk.end_held_row", retries_allowed=True, max_attempts=8, interval_seconds=0.5)
def end_held_row(job_id: int, workflow: str, reason: str) -> bool:
    """Fail the row this lane holds, if any, and close the job if that was its last row."""
    engine = durable.current_generator().engine
    ended = fail_held(engine, workflow, reason, job_id)
    close_job_if_done(engine, job_id)
    return ended


def fail_held(engine, workflow: str, reason: str, job_id: int | None = None) -> int:
    """Mark failed, with the reason, the rows still running for this workflow; how many."""
    where = [BulkItem.status == "running", BulkItem.workflow_id == workflow]
    where += [BulkItem.job_id == job_id] if job_id is not None else []
    with session_scope(engine) as session:
        return session.execute(update(BulkItem).where(*where)
                               .values(status="failed", error=reason, finished_at=utcnow())).rowcount


def sweep_ended_workflows(engine) -> int:
    """Fail the running rows whose lane has ended without finishing them (its recovery gave up, it was
    cancelled, or it could not record the failure itself), close their jobs, and feed again a running job
    that has no lane left; how many rows were failed."""
    with session_scope(engine) as session:
        held = session.execute(select(BulkItem.job_id, BulkItem.workflow_id).where(
            BulkItem.status == "running", BulkItem.workflow_id.is_not(None)).distinct().limit(500)).all()
    count = 0
    if held:
        ended = {w.workflow_id: w.status for w in DBOS.list_workflows(
            workflow_ids=[w for _job, w in held], status=list(ENDED_WORKFLOWS), load_input=False,
            load_output=False)}
        for job_id, workflow in held:
            if workflow in ended:
                reason = _("This row's run ended without a result ({status}): retry it.").format(
                    status=ended[workflow])
                count += fail_held(engine, workflow, reason, job_id)
                close_job_if_done(engine, job_id)
    refeed_laneless_jobs(engine)
    return count


def refeed_laneless_jobs(engine) -> list[int]:
    """A running job none of whose lanes is alive finishes if nothing is left, else is fed in a new round
    (not one that has just started: its lanes are queued right after it is marked running)."""
    settled = utcnow() - timedelta(seconds=durable.SWEEP_SECONDS)
    with session_scope(engine) as session:
        running = session.execute(select(BulkJob.id, BulkJob.round).where(BulkJob.status == "running",
                                                                         BulkJob.started_at < settled)).all()
    laneless = []
    for job_id, round_ in running:
        prefix = lane_id(job_id, round_, 0)[:-1]
        if DBOS.list_workflows(workflow_id_prefix=prefix, status=list(LIVE_WORKFLOWS), limit=1, load_input=False,
                               load_output=False):
            continue
        laneless.append(job_id)
        if not close_job_if_done(engine, job_id):
            with session_scope(engine) as session:
                session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status == "running",
                                                      BulkJob.round == round_)
                                .values(status="queued", round=BulkJob.round + 1))
    return laneless
