"""Leases and state changes a runner makes: who runs a job, which items it took, how each ended."""

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..brand.apply import record_score
from ..models import ContentItem, ContentVersion, utcnow
from .models import BulkItem, BulkJob

LEASE_TTL_SECONDS = 60.0
HOST = socket.gethostname()
_live_owners: set[str] = set()  # runner ids alive in this process


@dataclass
class Claimed:
    """An item taken by a runner: the lease proves it is still ours when we record the result."""

    id: int
    row: int
    lease: str
    attempts: int
    request: dict
    idempotency_key: str


def new_owner() -> str:
    """A runner id that says where it runs, so a restart can tell a dead runner from a live one."""
    owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    _live_owners.add(owner)
    return owner


def forget_owner(owner: str) -> None:
    """This runner has stopped."""
    _live_owners.discard(owner)


def lease_alive(owner: str | None, heartbeat_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether the runner holding a lease is still at work."""
    if not owner or heartbeat_at is None:
        return False
    if ((now or utcnow()) - heartbeat_at).total_seconds() > LEASE_TTL_SECONDS:
        return False
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return owner in _live_owners
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_job(engine: Engine, job_id: int, owner: str) -> bool:
    """Take the job unless a live runner holds it; items left running by a dead runner go back to pending."""
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        if job is None or job.status not in {"queued", "running"}:
            return False
        previous = job.lease_owner
        if previous != owner and lease_alive(previous, job.heartbeat_at):
            return False
        now = utcnow()
        taken = session.execute(
            update(BulkJob).where(BulkJob.id == job_id, _same_owner(previous))
            .values(lease_owner=owner, heartbeat_at=now, status="running", started_at=now, finished_at=None)
        ).rowcount
        if not taken:
            return False
        session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.status == "running")
                        .values(status="pending", lease=None))
        return True


def _same_owner(previous: str | None):
    return BulkJob.lease_owner.is_(None) if previous is None else BulkJob.lease_owner == previous


def runnable_jobs(engine: Engine) -> list[int]:
    """Jobs waiting for a runner (queued, or running under a dead lease), oldest first."""
    with session_scope(engine) as session:
        jobs = session.exec(select(BulkJob).where(BulkJob.status.in_(("queued", "running")))
                            .order_by(BulkJob.id)).all()
        return [job.id for job in jobs if not lease_alive(job.lease_owner, job.heartbeat_at)]


def heartbeat(engine: Engine, job_id: int, owner: str) -> str | None:
    """Renew our lease; the job's status, or None if the lease was taken from us."""
    with session_scope(engine) as session:
        kept = session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.lease_owner == owner)
                               .values(heartbeat_at=utcnow())).rowcount
        return session.get(BulkJob, job_id).status if kept else None


def release_job(engine: Engine, job_id: int, owner: str) -> str:
    """Give the lease back; a running job with nothing left to do becomes finished. Returns the status."""
    with session_scope(engine) as session:
        job = session.get(BulkJob, job_id)
        if job.lease_owner == owner:
            session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.status == "running")
                            .values(status="pending", lease=None))
            left = session.exec(select(BulkItem.id).where(BulkItem.job_id == job_id,
                                                          BulkItem.status == "pending").limit(1)).first()
            if job.status == "running" and left is None:
                job.status, job.finished_at = "finished", utcnow()
            job.lease_owner, job.heartbeat_at = None, None
            session.add(job)
        return job.status


def claim_items(engine: Engine, job_id: int, count: int) -> list[Claimed]:
    """Mark up to `count` due pending items (lowest rows first) running, each with a fresh lease."""
    now = utcnow()
    with session_scope(engine) as session:
        rows = session.exec(select(BulkItem).where(
            BulkItem.job_id == job_id, BulkItem.status == "pending",
            or_(BulkItem.not_before.is_(None), BulkItem.not_before <= now))
            .order_by(BulkItem.row_number).limit(count)).all()
        claimed = []
        for item in rows:
            candidate = Claimed(item.id, item.row_number, uuid.uuid4().hex, item.attempts + 1, item.input_json,
                                item.idempotency_key)
            taken = session.execute(update(BulkItem).where(BulkItem.id == item.id, BulkItem.status == "pending")
                                    .values(status="running", lease=candidate.lease, attempts=candidate.attempts,
                                            started_at=now)).rowcount
            if taken:
                claimed.append(candidate)
        return claimed


def next_due(engine: Engine, job_id: int) -> datetime | None:
    """When the earliest pending item may start (now if one is not waiting); None when none is pending."""
    with session_scope(engine) as session:
        items = session.exec(select(BulkItem.not_before).where(
            BulkItem.job_id == job_id, BulkItem.status == "pending").order_by(BulkItem.not_before).limit(1)).all()
        if not items:
            return None
        return items[0] or utcnow()


def finish_succeeded(engine: Engine, claimed: Claimed, kind: str, author: str, response, note: str) -> bool:
    """Save the content and mark the item succeeded in one transaction, only if our lease still holds.

    The item's row is the idempotency guard: content is written in the same commit that moves the item
    out of `running`, so a crash before the commit leaves neither and a crash after leaves both.
    """
    data = response.content or response.product
    with session_scope(engine) as session:
        content = ContentItem(type=kind, title=data.title, language=claimed.request.get("language", "en"),
                              author=author, request_json=claimed.request, data_json=data.model_dump(mode="json"),
                              provider=response.provider or "", model=response.model or "",
                              warnings=response.warnings)
        session.add(content)
        session.flush()
        session.add(ContentVersion(item_id=content.id, version=1, data_json=content.data_json, note=note,
                                   created_by=author))
        response.item_id = content.id
        record_score(session, content.language, response)
        marked = session.execute(
            update(BulkItem).where(BulkItem.id == claimed.id, BulkItem.lease == claimed.lease,
                                   BulkItem.idempotency_key == claimed.idempotency_key,
                                   BulkItem.status == "running", BulkItem.content_item_id.is_(None))
            .values(status=response.status, content_item_id=content.id, error="; ".join(response.warnings) or None,
                    lease=None,
                    latency_ms=response.latency_ms, finished_at=utcnow())).rowcount
        if not marked:
            session.rollback()
            return False
        return True


def finish_failed(engine: Engine, claimed: Claimed, error: str, latency_ms: int,
                  retry_in: float | None = None) -> bool:
    """Record a failure: back to pending after `retry_in` seconds, or failed for good when None."""
    values = {"error": error, "latency_ms": latency_ms, "lease": None}
    if retry_in is None:
        values.update(status="failed", finished_at=utcnow())
    else:
        values.update(status="pending", not_before=utcnow() + timedelta(seconds=retry_in))
    with session_scope(engine) as session:
        return bool(session.execute(update(BulkItem).where(BulkItem.id == claimed.id, BulkItem.lease == claimed.lease,
                                                           BulkItem.status == "running").values(**values)).rowcount)


def pause_for_account(engine: Engine, job_id: int, claimed: Claimed, reason: str) -> None:
    """The provider account cannot serve anyone (no quota, key rejected): pause the job with the reason.

    The item goes back to pending without counting the attempt, so resuming once the account is fixed
    runs every row that has not succeeded.
    """
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.id == claimed.id, BulkItem.lease == claimed.lease,
                                               BulkItem.status == "running")
                        .values(status="pending", attempts=claimed.attempts - 1, lease=None, error=reason,
                                not_before=None))
        session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(("queued", "running")))
                        .values(status="paused", pause_reason=reason))
