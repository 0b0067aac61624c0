"""First-run setup: a one-time token printed in the server log, and one atomic claim of the first admin.

Like Jupyter's startup token: whoever can read the server's log (the operator) can create the first
admin; anyone else who reaches the page cannot. The claim row (id 1) is updated *first* in the same
transaction as the insert, so concurrent claims serialise on it and exactly one admin comes out.
"""

import hashlib
import secrets
import sys
import threading

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..errors import PermissionDeniedError
from ..models import User, utcnow
from .models import SetupClaim
from ..i18n import N_, _

_announced: dict[str, str] = {}
_lock = threading.Lock()
DONE = N_("Setup is already done: sign in, or ask an admin for an account.")


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def setup_done(engine: Engine) -> bool:
    """Whether the first admin exists (or setup was claimed)."""
    with session_scope(engine) as session:
        claim = session.get(SetupClaim, 1)
        return (claim is not None and claim.claimed_by is not None) or \
            session.exec(select(func.count()).select_from(User)).one() > 0


def issue_token(engine: Engine) -> str | None:
    """A new one-time setup token (replacing any earlier one), or None once setup is done."""
    if setup_done(engine):
        return None
    token = secrets.token_urlsafe(24)
    with session_scope(engine) as session:
        claim = session.get(SetupClaim, 1)
        if claim is None:
            session.add(SetupClaim(id=1, token_hash=_sha256(token)))
        elif claim.claimed_by is None:
            claim.token_hash, claim.created_at = _sha256(token), utcnow()
            session.add(claim)
        else:
            return None
    return token


def announce(engine: Engine, base_url: str = "http://127.0.0.1:8501", stream=None) -> str | None:
    """Once per process and database while no user exists: issue a token and print the setup line."""
    url = str(engine.url)
    with _lock:
        if url in _announced:
            return _announced[url]
        token = issue_token(engine)
        if token is not None:
            _announced[url] = token
            print(f"ContentCraft setup: no user exists yet. Create the first admin at {base_url}/?setup={token} "
                  f"(setup token: {token})", file=stream or sys.stderr, flush=True)
        return token


def claim(session, email: str, token: str | None) -> None:
    """Take the setup claim inside the caller's transaction, or raise PermissionDeniedError.

    token=None is the operator's own path (CONTENTCRAFT_ADMIN_EMAIL at start): no token is needed.
    """
    query = update(SetupClaim).where(SetupClaim.id == 1, SetupClaim.claimed_by.is_(None))
    if token is not None:
        query = query.where(SetupClaim.token_hash == _sha256(token))
    won = session.execute(query.values(claimed_by=email, claimed_at=utcnow())).rowcount == 1
    if not won and token is None:
        try:  # no token was ever issued: the claim row does not exist yet
            with session.begin_nested():
                session.add(SetupClaim(id=1, claimed_by=email, claimed_at=utcnow()))
            won = True
        except sa_exc.IntegrityError:
            won = False
    if not won or session.exec(select(func.count()).select_from(User)).one() > 0:
        raise PermissionDeniedError(_(DONE) if token is None or _claimed(session) else
                                    _("That setup token is not valid: copy it from the server log (the line with "
                                      "'ContentCraft setup'), or restart the server for a new one."))


def _claimed(session) -> bool:
    row = session.get(SetupClaim, 1)
    return row is not None and row.claimed_by is not None
