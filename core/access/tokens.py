"""Personal API tokens: created by a user for themselves, shown once, stored as SHA-256, capped by the user's role.

Tokens are 256 random bits, so a fast unsalted hash is enough to make a leaked table useless (the practice
of GitHub and PyPI tokens); a slow password hash would cost milliseconds on every API call.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..auth import ROLE_RANK, ROLES, get_user, require
from ..db import session_scope
from ..errors import AuthenticationError, NotFoundError, PermissionDeniedError, ValidationFailedError
from ..models import User, utcnow
from .models import ApiToken
from ..i18n import _

PREFIX = "cc_"
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token
MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True)
class TokenUser:
    """Who a request acts as: the token's row and its user with the effective (capped) role."""

    token: ApiToken
    user: User


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, user: User, *, name: str, expires_days: int | None = None,
                 role: str | None = None) -> tuple[str, ApiToken]:
    """A new token for user themselves: (the token, shown once; its row). role may only lower the user's."""
    require(user, "generate")
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise ValidationFailedError(_("Give the token a name of 1 to 80 characters, e.g. the site that uses it."))
    role = role or user.role
    if role not in ROLES:
        raise ValidationFailedError(_("Unknown role {role!r}: choose writer, editor or admin.")
                                    .format(role=role))
    if ROLE_RANK[role] > ROLE_RANK[user.role]:
        raise PermissionDeniedError(_("A token cannot do more than its owner: {email} is a {role}.")
                                    .format(email=user.email, role=user.role))
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise ValidationFailedError(_("Expiry must be 1 to {max_expiry_days} days, or none.")
                                    .format(max_expiry_days=MAX_EXPIRY_DAYS))
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:10], role=role,
                   expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None)
    with session_scope(engine) as session:
        session.add(row)
        session.flush()
        session.refresh(row)
    return token, row


def list_tokens(engine: Engine, user: User, *, everyone: bool = False) -> list[ApiToken]:
    """The user's own tokens (admins may ask for everyone's), newest first."""
    if everyone:
        require(user, "manage_users")
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if not everyone:
        query = query.where(ApiToken.user_id == user.id)
    with session_scope(engine) as session:
        return list(session.exec(query))


def revoke_token(engine: Engine, user: User, token_id: int) -> ApiToken:
    """Revoke a token at once; its owner or an admin may."""
    with session_scope(engine) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFoundError(_("There is no API token #{token_id}.").format(token_id=token_id))
        if row.user_id != user.id:
            require(user, "manage_users")
        row.revoked_at = row.revoked_at or utcnow()
        session.add(row)
        return row


def authenticate_token(engine: Engine, token: str, now: datetime | None = None) -> TokenUser:
    """The token's owner, acting with min(token role, current user role); AuthenticationError otherwise."""
    now = now or utcnow()
    with session_scope(engine) as session:
        found = session.exec(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                             .where(ApiToken.token_hash == hash_token(token))).first()
        row, user = found if found is not None else (None, None)
        if row is None:
            raise AuthenticationError(_("The API token is not valid: create one on the dashboard's API tokens page "
                                        "and send it as 'Authorization: Bearer <token>'."))
        if row.revoked_at is not None:
            raise AuthenticationError(_("The API token {prefix}… was revoked: create a new one in Settings.")
                                      .format(prefix=row.prefix))
        if row.expires_at is not None and _aware(row.expires_at) <= now:
            raise AuthenticationError(_("The API token {prefix}… expired: create a new one in Settings.")
                                      .format(prefix=row.prefix))
        if not _active(user):
            raise AuthenticationError(_("The account {email} is deactivated: ask an admin to reactivate it.")
                                      .format(email=user.email))
        if row.last_used_at is None or _aware(row.last_used_at) <= now - LAST_USED_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
            row.last_used_at = now
        role = min(row.role, user.role, key=lambda r: ROLE_RANK.get(r, 0))
        acting = User.model_validate(user.model_dump() | {"role": role})
        session.expunge(row)
        return TokenUser(token=row, user=acting)


def token_owner(engine: Engine, email: str) -> User:
    """The user a CLI-created token belongs to, or NotFoundError."""
    user = get_user(engine, email)
    if user is None:
        raise NotFoundError(_("No user {email}: add one with `python -m core users add {email}`.")
                            .format(email=email))
    return user


def _active(user: User) -> bool:
    # issue 12 may add more account states; any of them being off stops the token
    return all(getattr(user, flag, True) for flag in ("is_active", "active")) and not getattr(user, "deactivated_at", None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
