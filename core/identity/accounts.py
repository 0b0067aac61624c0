"""The account lifecycle: roles, deactivation, deletion, password reset and change.

Every change that could leave nobody able to administer ContentCraft (the last active admin
demoting, deactivating or deleting themselves, or being changed by another admin) is refused,
and every change to who may sign in ends that user's sessions.
"""

from sqlalchemy import delete, func, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..auth import ROLES, hash_password, require, verify_password
from ..db import session_scope
from ..errors import AuthenticationError, NotFoundError, PermissionDeniedError, ValidationFailedError
from ..models import User
from . import sessions
from .models import UserSession
from ..i18n import _


def _target(session, email: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFoundError(_("There is no user {email}.").format(email=email))
    return user


def _keep_an_admin(session, user: User, *, role: str | None = None, active: bool | None = None,
                   deleting: bool = False) -> None:
    """Refuse a change that would leave no active admin."""
    stays_admin = not deleting and (role or user.role) == "admin" and (user.is_active if active is None else active)
    if user.role != "admin" or not user.is_active or stays_admin:
        return
    others = session.exec(select(func.count()).select_from(User).where(
        User.role == "admin", User.is_active, User.id != user.id)).one()
    if others == 0:
        raise PermissionDeniedError(_("{email} is the last active admin: make another user an admin first.")
                                    .format(email=user.email))


def set_role(engine: Engine, actor: User, *, email: str, role: str) -> User:
    """Change a user's role (admins only; the last admin stays an admin)."""
    require(actor, "manage_users")
    if role not in ROLES:
        raise ValidationFailedError(_("Unknown role {role!r}: choose writer, editor or admin.")
                                    .format(role=role))
    with session_scope(engine) as session:
        user = _target(session, email)
        _keep_an_admin(session, user, role=role)
        user.role = role
        session.add(user)
        return user


def set_active(engine: Engine, actor: User, *, email: str, active: bool) -> User:
    """Deactivate (signed out everywhere, cannot sign in) or reactivate a user (admins only)."""
    require(actor, "manage_users")
    with session_scope(engine) as session:
        user = _target(session, email)
        _keep_an_admin(session, user, active=active)
        user.is_active = active
        session.add(user)
        if not active:
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        return user


def delete_user(engine: Engine, actor: User, *, email: str) -> None:
    """Remove a user with their sessions and API tokens (admins only); their items keep the author's email."""
    require(actor, "manage_users")
    with session_scope(engine) as session:
        user = _target(session, email)
        _keep_an_admin(session, user, deleting=True)
        _delete_rows_owned_by(session, user.id)
        session.delete(user)


def _delete_rows_owned_by(session, user_id: int) -> None:
    """Rows in any table with a foreign key to the user (sessions, API tokens, …), read from the database."""
    inspector = inspect(session.connection())
    for table in inspector.get_table_names():
        for key in inspector.get_foreign_keys(table):
            if key["referred_table"] == User.__tablename__ and len(key["constrained_columns"]) == 1:
                column = key["constrained_columns"][0]  # names from the schema itself, not from input
                session.execute(text(f'DELETE FROM "{table}" WHERE "{column}" = :user_id'), {"user_id": user_id})


def reset_password(engine: Engine, actor: User, *, email: str, new_password: str) -> User:
    """An admin sets a temporary password; the user is signed out everywhere."""
    require(actor, "manage_users")
    password_hash = hash_password(new_password)
    with session_scope(engine) as session:
        user = _target(session, email)
        user.password_hash = password_hash
        session.add(user)
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        return user


def change_password(engine: Engine, user: User, *, current: str, new: str, keep_session: str | None = None) -> None:
    """A user changes their own password; every other session of theirs ends."""
    if not verify_password(user, current):
        raise AuthenticationError(_("The current password is wrong."))
    if new == current:
        raise ValidationFailedError(_("The new password must differ from the current one."))
    password_hash = hash_password(new)
    with session_scope(engine) as session:
        stored = session.get(User, user.id)
        stored.password_hash = password_hash
        session.add(stored)
    sessions.revoke_all(engine, user.id, keep=keep_session)
