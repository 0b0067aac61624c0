"""Sign-in throttling kept in the database, so every process (and a restart) sees the same counts.

Each attempt is written *before* the slow password hash is checked and then counted, so parallel
guesses cannot all slip under the limit. Three keys are counted over a sliding window (after
OWASP's Authentication Cheat Sheet): the client address, the account from that address, and the
account from anywhere. The per-account limit is set above the per-client one, so one attacking
address cannot lock a real user out; only a wide, distributed attack slows everyone down.
"""

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, or_, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..errors import AuthenticationError
from .models import SigninAttempt
from ..i18n import _

WINDOW_SECONDS = 15 * 60
LIMITS = {"account_client": 5, "client": 20, "account": 50}  # failed sign-ins per window


def keys(email: str, client: str) -> dict[str, str]:
    """The throttle key of each kind for this attempt."""
    client = client or "unknown"
    return {"account_client": f"account:{email}|client:{client}", "client": f"client:{client}",
            "account": f"account:{email}"}


def reserve(engine: Engine, email: str, client: str, now: float) -> list[int]:
    """Record an attempt and count it; raise AuthenticationError (and forget it) when a limit is reached."""
    moment = datetime.fromtimestamp(now, timezone.utc)
    since = moment - timedelta(seconds=WINDOW_SECONDS)
    attempt_keys = keys(email, client)
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "postgresql":  # SQLite's first write already serialises
            for key in sorted(attempt_keys.values()):  # one order, so two attempts never deadlock
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
        rows = [SigninAttempt(key=key, created_at=moment) for key in attempt_keys.values()]
        session.add_all(rows)  # inserted, then counted: parallel guesses cannot all slip under the limit
        session.flush()
        ids = [row.id for row in rows]
        for kind, key in attempt_keys.items():
            counted = session.exec(select(SigninAttempt.created_at).where(
                SigninAttempt.key == key, SigninAttempt.created_at > since).order_by(SigninAttempt.created_at)).all()
            if len(counted) > LIMITS[kind]:
                session.execute(delete(SigninAttempt).where(SigninAttempt.id.in_(ids)))
                oldest = counted[0] if counted[0].tzinfo else counted[0].replace(tzinfo=timezone.utc)
                wait = int((oldest - since).total_seconds()) // 60 + 1
                session.commit()
                raise AuthenticationError(_("Too many failed sign-ins. Try again in {wait} min.")
                                          .format(wait=wait))
    return ids


def succeeded(engine: Engine, email: str, client: str, ids: list[int]) -> None:
    """A right password: drop this attempt and the account's failures (the client's failures stay)."""
    attempt_keys = keys(email, client)
    with session_scope(engine) as session:
        session.execute(delete(SigninAttempt).where(or_(
            SigninAttempt.id.in_(ids),
            SigninAttempt.key.in_([attempt_keys["account_client"], attempt_keys["account"]]))))


def purge(engine: Engine, now: float) -> int:
    """Delete attempts older than the window."""
    since = datetime.fromtimestamp(now, timezone.utc) - timedelta(seconds=WINDOW_SECONDS)
    with session_scope(engine) as session:
        return session.execute(delete(SigninAttempt).where(SigninAttempt.created_at <= since)).rowcount or 0


def failures(engine: Engine, key: str) -> int:
    """How many attempts are on record under a key (for tests and the admin view)."""
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(SigninAttempt).where(SigninAttempt.key == key)).one()
