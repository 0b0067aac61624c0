"""Bulk jobs as DBOS workflows: a job runs as `concurrency` lane workflows on its provider's queue; each lane
claims the next due row, generates it in one recorded step, and loops until no row is left.

Workflow ids: `bulk-lane:{job}:{round}:{lane}` (a round is one start, resume or retry of the job), so starting
a job twice runs its lanes once. A step runs rows for up to STEP_SECONDS: no queue poll nor checkpoint between
rows, and once the round's first answer came back each next row is taken in one statement (`claim`). Steps run
at least once; every effect is keyed by job and row: an item moves pending → running only for the lane that
claimed it, and its content is written in the transaction that ends it, only if it has none yet.
A lane that dies with its worker is recovered by another worker and resumes the row it held; a worker that
stops cleanly hands its lanes over as child workflows (`{lane id}-{n}`), which the live workers take at once;
so does a lane over its worker's share when a worker joins (`durable.lane_running`).
"""

import functools
import logging
import math
import time
from datetime import timedelta

from dbos import DBOS, SetWorkflowID
from sqlalchemy import func, or_, update
from sqlmodel import select

from ..db import session_scope
from ..errors import ContentCraftError
from ..i18n import _
from ..models import GenerationLog, utcnow
from ..providers import get_provider, provider_classes
from . import durable
from .claim import (MAX_WAIT_SECONDS, PROBE_WAIT_SECONDS, claim_row, close_statement, still_on, take_next_row,
                    wait_for_probe)
from .jobs import JobOptions
from .models import BulkItem, BulkJob, BulkWorker
from .overlap import RowThreads
from .rows import SAVED, generate_row

log = logging.getLogger("contentcraft.bulk")
ENDED = {*SAVED, "failed"}
ENDED_WORKFLOWS = ("SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED")
LIVE_WORKFLOWS = ("PENDING", "ENQUEUED", "DELAYED")
RECENT_ANSWER_SECONDS = 120  # a provider that answered this recently needs no probe row
STEP_SECONDS = 30.0  # a lane records a step (its progress in DBOS) at least this often; each is a pause in its overlap
MAX_LANE_ERRORS = 5  # consecutive unexpected errors after which a lane stops (the keeper feeds the job again)


def lane_id(job_id: int, round_: int, lane: int) -> str:
    return f"bulk-lane:{job_id}:{round_}:{lane}"


def effective_concurrency(options: JobOptions) -> int:
    """The job's concurrency, capped by the provider's own limit (the local model runs one at a time)."""
    cap = getattr(provider_classes().get(options.provider or ""), "max_concurrency", None)
    return min(options.concurrency, cap) if cap else options.concurrency


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
    cools down from, makes the round's first rows go out on their own again."""
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
    queue = job_queue(job_id)
    with durable.lane_running(queue) as stopped:
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
        hand_over(job_id, round_, lane, queue)
        return "handed over"


def job_queue(job_id: int) -> str:
    """The queue a job's lanes run on (its provider's)."""
    with session_scope(durable.current_generator().engine) as session:
        settings = session.execute(select(BulkJob.settings_json).where(BulkJob.id == job_id)).scalar()
    return durable.queue_for(JobOptions.model_validate(settings or {}).provider or "")


def hand_over(job_id: int, round_: int, lane: int, queue: str) -> None:
    """Between rows on a stopping worker: queue this lane again (a child workflow, whose id a recovery of this
    one would find taken), so that a live worker goes on with it within a queue poll."""
    with session_scope(durable.current_generator().engine) as session:
        on = session.execute(select(still_on(job_id, round_))).scalar()
    if on:  # else the job stopped or moved on: nothing to go on with
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
    rows, facts, spare, overlapped = 0, None, None, RowThreads()
    try:
        while rows == 0 or goes_on(started, epoch):
            # After a row of a round that is past its probe, the next is taken in one statement as soon as that
            # row's call is out (`overlap`); else, or if there is none to take now, the full look (with no row of
            # this lane still in hand, which it would find held) says whether to wait or stop.
            ahead = overlapped.busy()
            claim = facts and take_next_row(engine, job_id, round_, workflow, facts, spare)
            if not claim:
                ahead = False
                overlapped.settle()
                claim = claim_row(engine, job_id, round_, workflow)
            if claim["status"] == "wait" and claim["seconds"] <= PROBE_WAIT_SECONDS and goes_on(started, epoch):
                wait_for_probe(claim["seconds"])  # within the step: a workflow sleep is a checkpoint each time
                continue
            if claim["status"] != "row":
                return {**claim, "rows": rows}
            facts = None if claim.get("probing", True) else claim["job"]
            if facts and spare is None:  # a job's lanes never change: worked out once a step, not per row
                spare = effective_concurrency(JobOptions.model_validate(facts[1])) - 1  # a row for each other lane
            overlapped.start(functools.partial(generate_row, job_id, claim["row"], workflow,
                                               claim.get("probing", False), claim.get("loaded"), slot=overlapped.slot,
                                               ahead=ahead))
            rows += 1
        return {"status": "row", "rows": rows}
    finally:
        overlapped.settle()


def goes_on(started: float, epoch: int) -> bool:
    """Whether a lane's step takes another row: under STEP_SECONDS in, the same launch, the lane not leaving."""
    return time.monotonic() - started < STEP_SECONDS and durable.lanes_epoch() == epoch and not durable.lane_stops()


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
