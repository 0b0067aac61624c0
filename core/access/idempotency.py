"""Idempotency-Key for creating POSTs: the same key within 24 h gets the first answer and creates nothing.

Follows the IETF draft "The Idempotency-Key HTTP Header Field": a key reused with a different request is
refused (422), and a retry arriving while the first request still runs gets 409.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ..db import session_scope
from ..errors import ContentCraftError, ValidationFailedError
from ..models import utcnow
from .models import IdempotencyRecord
from ..i18n import _

TTL = timedelta(hours=24)
MAX_KEY_CHARS = 255


class IdempotencyConflictError(ContentCraftError):
    """A request with the same Idempotency-Key is still being processed."""

    retryable = True
    kind = "idempotency_conflict"


class IdempotencyKeyReusedError(ValidationFailedError):
    """The Idempotency-Key was already used for a different request."""

    kind = "idempotency_key_reused"


@dataclass
class Replay:
    """The stored first answer."""

    status_code: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests 'the same': method, path and body."""
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


def begin(engine: Engine, user_id: int, key: str, print_: str) -> Replay | None:
    """Claim key for this request (None: go ahead) or return the first answer; errors for misuse."""
    if not key or len(key) > MAX_KEY_CHARS:
        raise ValidationFailedError(_("Idempotency-Key must be 1 to {max_key_chars} characters (a UUID is ideal).")
                                    .format(max_key_chars=MAX_KEY_CHARS))
    with session_scope(engine) as session:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                        IdempotencyRecord.key == key,
                                                        IdempotencyRecord.created_at < utcnow() - TTL))
    try:
        with session_scope(engine) as session:
            session.add(IdempotencyRecord(user_id=user_id, key=key, fingerprint=print_))
        return None
    except IntegrityError:
        pass
    with session_scope(engine) as session:
        record = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                              IdempotencyRecord.key == key)).one()
    if record.fingerprint != print_:
        raise IdempotencyKeyReusedError(_("This Idempotency-Key was already used for a different request: send a "
                                          "new key for a new request."))
    if record.state != "done":
        raise IdempotencyConflictError(_("A request with this Idempotency-Key is still running: wait for it to "
                                         "finish, then retry to get its answer."))
    return Replay(record.status_code, record.body)


def finish(engine: Engine, user_id: int, key: str, status_code: int, body: str) -> None:
    """Store the answer to replay; a failed attempt (5xx, 429) frees the key for a retry instead."""
    with session_scope(engine) as session:
        query = delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        if status_code >= 500 or status_code == 429:
            session.execute(query)
            return
        record = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                              IdempotencyRecord.key == key)).first()
        if record is not None:
            record.state, record.status_code, record.body = "done", status_code, body
            session.add(record)


def release(engine: Engine, user_id: int, key: str) -> None:
    """Forget a claim whose request died before answering."""
    finish(engine, user_id, key, 500, "")


def purge(engine: Engine) -> int:
    """Delete records older than 24 h; returns how many."""
    with session_scope(engine) as session:
        return session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - TTL)).rowcount
