"""Claiming a job's next row for a lane: the full look at the job (a held row, the probe, waits, the end), and
the one-statement take that follows it while the job's rows keep coming."""

import threading
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import select

from ..db import session_scope
from ..models import utcnow
from .models import BulkItem, BulkJob

ACTIVE_ITEMS = ("pending", "running")
PROBE_ROWS = 3  # a round's first rows out before any answer: issue 11 allows three requests before a quota pause
PROBE_WAIT_SECONDS = 0.05  # other lanes wait for the job's first row this long between looks
PROBE_GRACE_SECONDS = 2.0  # ... and go once its call has been out this long unrefused (see Probe)
MAX_WAIT_SECONDS = 0.5  # a lane looks at least this often for rows whose retry is due, or a pause
_answered = threading.Condition()  # notified when a probe row of this process is answered
_OTHER, _PICK, _BEHIND = aliased(BulkItem), aliased(BulkItem), aliased(BulkItem)  # built once: rows are many


def wait_for_probe(seconds: float) -> None:
    """Wait up to `seconds`, or less when a probe row of this process is answered meanwhile (those of other
    processes are seen by the next claim)."""
    with _answered:
        _answered.wait(seconds)


class Probe:
    """One of the round's first rows, which go out before any answer (PROBE_ROWS of them at most) so that a refused
    account (no quota, a revoked key) pauses the job after a few requests. The other lanes go once one is answered,
    or once a call has been out PROBE_GRACE_SECONDS: a refusal comes back at once, so a call still out is being
    written, and waiting the whole answer (often tens of seconds) would idle them."""

    def __init__(self, engine, job_id: int):
        self.engine, self.job_id, self.done = engine, job_id, False

    def sent(self) -> None:
        """Its call left: the other lanes may go PROBE_GRACE_SECONDS from now unless it is refused first."""
        if not self.done:
            self._set(utcnow() + timedelta(seconds=PROBE_GRACE_SECONDS), or_(
                BulkJob.answered_at.is_(None), BulkJob.answered_at < BulkJob.started_at))

    def answered(self) -> None:
        """Its call was answered: the other lanes may go now."""
        if not self.done:
            self.done = True
            self._set(utcnow())
            with _answered:
                _answered.notify_all()

    def refused(self) -> None:
        """It ended unanswered: the lanes wait for the next first row, unless the grace was over."""
        if not self.done:
            self._set(None, BulkJob.answered_at > utcnow())

    def _set(self, when, *conditions) -> None:
        with session_scope(self.engine) as session:
            session.execute(update(BulkJob).where(BulkJob.id == self.job_id, *conditions).values(answered_at=when))


def claim_row(engine, job_id: int, round_: int, workflow: str) -> dict:
    """{"status": "row", "row", "job"}: the row this lane holds, else the lowest due pending row, now running
    for it ("job": its kind, settings and creator, which never change); {"status": "wait", "seconds"} while the
    first rows are out or retries are not due yet; {"status": "stop", "reason"} when the job is not running
    in this round or no row is left."""
    now = utcnow()
    held = select(BulkItem.row_number).where(BulkItem.job_id == job_id, BulkItem.status == "running",
                                             BulkItem.workflow_id == workflow).limit(1).scalar_subquery()
    came_back = or_(and_(BulkJob.answered_at >= BulkJob.started_at, BulkJob.answered_at <= now),
                    exists().where(BulkItem.job_id == job_id, BulkItem.finished_at >= BulkJob.started_at))
    with session_scope(engine) as session:  # one round trip for the job's state, the held row and the probe
        out = select(func.count()).where(BulkItem.job_id == job_id, BulkItem.status == "running").scalar_subquery()
        job = session.execute(select(BulkJob.round, BulkJob.status, held, came_back, BulkJob.kind,
                                     BulkJob.settings_json, BulkJob.created_by, out)
                              .where(BulkJob.id == job_id)).first()
        if job is None or job[0] != round_ or job[1] not in {"queued", "running"}:
            return {"status": "stop", "reason": "stopped"}
        facts = tuple(job[4:7])
        if job[2] is not None:
            return {"status": "row", "row": job[2], "job": facts}  # a re-run of a step whose worker died mid-row
        probing = not job[3]
        if probing and job[7] >= PROBE_ROWS:  # the first rows are out: wait for an answer, not on the job's lock
            return {"status": "wait", "seconds": PROBE_WAIT_SECONDS}
        if probing:  # one lane at a time may send one of the round's first rows (Postgres: the job row's lock)
            session.execute(select(BulkJob.id).where(BulkJob.id == job_id).with_for_update())
        due = session.execute(select(BulkItem.id, BulkItem.row_number, BulkItem.input_json, BulkItem.attempts)
                              .where(*is_due(BulkItem, job_id, now)).order_by(BulkItem.row_number).limit(1)
                              .with_for_update(skip_locked=True)).first()
        if due is None:
            later = session.execute(select(func.min(BulkItem.not_before)).where(
                BulkItem.job_id == job_id, BulkItem.status == "pending")).scalar_one()
            if later is None and not session.execute(select(exists().where(
                    BulkItem.job_id == job_id, BulkItem.status == "pending"))).scalar_one():
                # Each lane's last claim comes after its last row ended, so the last of them sees every row ended.
                session.execute(close_statement(job_id))
                return {"status": "stop", "reason": "drained"}
            wait = (later - now).total_seconds() if later else MAX_WAIT_SECONDS
            return {"status": "wait", "seconds": min(MAX_WAIT_SECONDS, max(0.01, wait))}
        other = _OTHER
        running = select(func.count()).where(other.job_id == job_id, other.status == "running").scalar_subquery()
        few = running < PROBE_ROWS
        taken = session.execute(update(BulkItem).where(BulkItem.id == due[0], BulkItem.status == "pending",
                                                       still_on(job_id, round_), *([few] if probing else []))
                                .values(**running_values(workflow, now))).rowcount
    if taken:  # what generate_row needs, so that it need not read the job and the row again
        return {"status": "row", "row": due[1], "probing": probing, "job": facts,
                "loaded": loaded(job_id, facts, (due[0], due[1], due[2], due[3] + 1), workflow)}
    return {"status": "wait", "seconds": PROBE_WAIT_SECONDS if probing else 0.0}


def take_next_row(engine, job_id: int, round_: int, workflow: str, facts: tuple, spare: int) -> dict | None:
    """The lowest due pending row, now running for this lane, in one autocommitted UPDATE … RETURNING: for a lane
    that has just claimed a row of this round once the round's first answer came back (so no probe, and it holds
    no row), while `spare` more due rows wait behind it (else an idle lane may need it more than this busy one).
    None when there is none to take now, or the job stopped: claim_row then says why."""
    now, pick, behind = utcnow(), _PICK, _BEHIND
    due = (select(pick.id).where(*is_due(pick, job_id, now)).order_by(pick.row_number).limit(1)
           .with_for_update(skip_locked=True).scalar_subquery())
    more = (select(behind.id).where(*is_due(behind, job_id, now)).order_by(behind.row_number).offset(spare)
            .limit(1).scalar_subquery())
    statement = (update(BulkItem).where(BulkItem.id == due, BulkItem.status == "pending", still_on(job_id, round_),
                                        more.is_not(None))
                 .values(**running_values(workflow, now))
                 .returning(BulkItem.id, BulkItem.row_number, BulkItem.input_json, BulkItem.attempts))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        taken = connection.execute(statement).first()
    if taken is None:
        return None
    return {"status": "row", "row": taken[1], "probing": False, "job": facts,
            "loaded": loaded(job_id, facts, tuple(taken), workflow)}


def is_due(item, job_id: int, now) -> tuple:
    """The conditions of a job's pending row whose retry wait (if any) is over; item: BulkItem or an alias of it."""
    return item.job_id == job_id, item.status == "pending", or_(item.not_before.is_(None), item.not_before <= now)


def still_on(job_id: int, round_: int):
    """The job runs in this round: checked in the write that takes a row, since on SQLite the reads before it
    see no snapshot, so a pause committed since (a quota error on the probe) must still stop the row."""
    return exists().where(BulkJob.id == job_id, BulkJob.round == round_, BulkJob.status.in_(("queued", "running")))


def running_values(workflow: str, now) -> dict:
    return dict(status="running", attempts=BulkItem.attempts + 1, workflow_id=workflow, started_at=now,
                finished_at=None, not_before=None)


def loaded(job_id: int, facts: tuple, row: tuple, workflow: str) -> tuple:
    """(job, item) as generate_row needs them; row: (id, row number, input, attempts counting this one)."""
    kind, settings, created_by = facts
    return (BulkJob(id=job_id, kind=kind, settings_json=settings, created_by=created_by),
            BulkItem(id=row[0], job_id=job_id, row_number=row[1], input_json=row[2], attempts=row[3],
                     status="running", workflow_id=workflow))


def close_statement(job_id: int):
    """The job becomes finished if it runs with no pending or running row left (one atomic statement)."""
    left = exists().where(BulkItem.job_id == job_id, BulkItem.status.in_(ACTIVE_ITEMS))
    return (update(BulkJob).where(BulkJob.id == job_id, BulkJob.status == "running", ~left)
            .values(status="finished", finished_at=utcnow()))
