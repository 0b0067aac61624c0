"""Server-side dashboard sessions: revocable rows, a one-time code that hands the browser its cookie.

The cookie carries a random token signed with itsdangerous; the database keeps only its SHA-256,
so a leaked database does not sign anyone in, and deleting a row ends that session at once.
"""

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..models import User, utcnow
from .models import UserSession

COOKIE_NAME = "contentcraft_session"
SESSION_ROUTE, SIGNOUT_ROUTE = "/contentcraft/session", "/contentcraft/signout"  # served by server.py
SESSION_TTL_SECONDS = 8 * 3600
HANDOFF_TTL_SECONDS = 120


def signer() -> Signer:
    """The cookie signer: keys derived from the Fernet keys (identity of core.wordpress.secrets), newest last."""
    from ..wordpress.secrets import signing_keys

    return Signer(signing_keys("session cookie"), salt="contentcraft.session", digest_method=hashlib.sha256)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def start(engine: Engine, user: User, *, via: str = "password", client: str = "",
          ttl: int = SESSION_TTL_SECONDS) -> tuple[str, str]:
    """A new session for user: (session id for server memory, one-time code the browser trades for a cookie)."""
    session_id, code = secrets.token_hex(32), secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(id=session_id, user_id=user.id, handoff_hash=_sha256(code), via=via, client=client[:64],
                      created_at=now, expires_at=now + timedelta(seconds=ttl))
    with session_scope(engine) as session:
        session.add(row)
    return session_id, code


def user_for(engine: Engine, session_id: str | None) -> User | None:
    """The active user of a live session, or None (unknown, expired, revoked or deactivated)."""
    if not session_id:
        return None
    with session_scope(engine) as session:
        row = session.get(UserSession, session_id)
        if row is None:
            return None
        if _aware(row.expires_at) <= utcnow():
            session.delete(row)
            return None
        user = session.get(User, row.user_id)
        return user if user is not None and user.is_active else None


def exchange(engine: Engine, code: str, signer: Signer) -> tuple[str, int] | None:
    """Trade a one-time handoff code for (signed cookie value, max-age seconds); None if unknown or used."""
    if not code:
        return None
    token = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        row = session.exec(select(UserSession).where(UserSession.handoff_hash == _sha256(code))).first()
        if row is None or _aware(row.created_at) + timedelta(seconds=HANDOFF_TTL_SECONDS) < utcnow():
            return None
        row.handoff_hash, row.token_hash = None, _sha256(token)
        session.add(row)
        max_age = int((_aware(row.expires_at) - utcnow()).total_seconds())
    return signer.sign(token).decode("ascii"), max(0, max_age)


def from_cookie(engine: Engine, cookie: str | None, signer: Signer) -> str | None:
    """The session id a signed cookie value stands for, or None if it is forged, expired or revoked."""
    session_id = _cookie_session(engine, cookie, signer)
    return session_id if user_for(engine, session_id) is not None else None


def _cookie_session(engine: Engine, cookie: str | None, signer: Signer) -> str | None:
    if not cookie:
        return None
    try:
        token = signer.unsign(cookie).decode("ascii")
    except (BadSignature, UnicodeError):
        return None
    with session_scope(engine) as session:
        row = session.exec(select(UserSession).where(UserSession.token_hash == _sha256(token))).first()
        return row.id if row is not None else None


def end(engine: Engine, session_id: str | None = None, *, cookie: str | None = None,
        signer: Signer | None = None) -> None:
    """Sign one session out (by id, or by its cookie)."""
    if cookie and signer:
        session_id = _cookie_session(engine, cookie, signer) or session_id
    if session_id:
        with session_scope(engine) as session:
            session.execute(delete(UserSession).where(UserSession.id == session_id))


def revoke_all(engine: Engine, user_id: int, keep: str | None = None) -> int:
    """Sign a user out everywhere (except the session `keep`); returns how many sessions ended."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        query = query.where(UserSession.id != keep)
    with session_scope(engine) as session:
        return session.execute(query).rowcount or 0


def purge_expired(engine: Engine) -> int:
    """Delete sessions past their expiry."""
    with session_scope(engine) as session:
        return session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow())).rowcount or 0
