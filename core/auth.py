"""Users, password sign-in and role checks; every action is checked here, not only in pages."""

import re
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from .db import session_scope
from .errors import AuthenticationError, PermissionDeniedError, ValidationFailedError
from .models import User

ROLES = ("writer", "editor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
# The least role allowed to perform each action.
PERMISSIONS = {
    "generate": "writer", "edit_own": "writer", "submit": "writer",
    "edit_any": "editor", "review": "editor", "approve": "editor", "reject": "editor", "publish": "editor",
    "manage_brand": "editor", "view_analytics": "editor",
    "settings": "admin", "manage_users": "admin", "manage_sites": "admin",
}
SESSION_TTL_SECONDS = 8 * 3600
MAX_FAILED_SIGNINS, FAILED_SIGNIN_WINDOW = 5, 15 * 60
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
_failures: dict[str, deque[float]] = defaultdict(deque)
_failures_lock = threading.Lock()


def allowed(role: str, action: str) -> bool:
    """Whether a role may perform an action."""
    return ROLE_RANK.get(role, 0) >= ROLE_RANK[PERMISSIONS[action]]


def require(user: User, action: str) -> None:
    """Raise PermissionDeniedError unless user's role allows action."""
    if not user.is_active or not allowed(user.role, action):
        needed = PERMISSIONS[action]
        raise PermissionDeniedError(f"Your role ({user.role}) cannot {action.replace('_', ' ')}; "
                                    f"ask an {needed if needed != 'editor' else 'editor or admin'} to do it.")


def create_user(engine: Engine, *, email: str, password: str, role: str = "writer") -> User:
    """Add a user with a salted argon2 password hash."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationFailedError(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise ValidationFailedError(f"Unknown role {role!r}: choose writer, editor or admin.")
    if len(password) < 8:
        raise ValidationFailedError("Passwords need at least 8 characters.")
    with session_scope(engine) as session:
        if session.exec(select(User).where(User.email == email)).first():
            raise ValidationFailedError(f"A user with the email {email} already exists.")
        user = User(email=email, password_hash=_hasher.hash(password), role=role)
        session.add(user)
        session.flush()
        session.refresh(user)
        return user


def set_role(engine: Engine, actor: User, *, email: str, role: str) -> User:
    """Change a user's role (admins only)."""
    require(actor, "manage_users")
    if role not in ROLES:
        raise ValidationFailedError(f"Unknown role {role!r}: choose writer, editor or admin.")
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise ValidationFailedError(f"No user {email}.")
        user.role = role
        session.add(user)
        return user


def get_user(engine: Engine, email: str) -> User | None:
    """The user with that email, or None."""
    with session_scope(engine) as session:
        return session.exec(select(User).where(User.email == email.strip().lower())).first()


def list_users(engine: Engine) -> list[User]:
    """Every user, by email."""
    with session_scope(engine) as session:
        return list(session.exec(select(User).order_by(User.email)))


def has_users(engine: Engine) -> bool:
    """Whether anyone has been created yet (first-run setup needs none)."""
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(User)).one() > 0


def authenticate(engine: Engine, *, email: str, password: str, clock=time.monotonic) -> User:
    """The user for these credentials; repeated failures lock the email out for a while."""
    email = email.strip().lower()
    _check_lockout(email, clock())
    user = get_user(engine, email)
    try:
        if user is None or not user.is_active or not user.password_hash:
            raise VerificationError("unknown user")
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        _record_failure(email, clock())
        raise AuthenticationError("Wrong email or password.") from None
    with _failures_lock:
        _failures.pop(email, None)
    return user


def _check_lockout(email: str, now: float) -> None:
    with _failures_lock:
        attempts = _failures[email]
        while attempts and attempts[0] <= now - FAILED_SIGNIN_WINDOW:
            attempts.popleft()
        if len(attempts) >= MAX_FAILED_SIGNINS:
            wait = int(attempts[0] + FAILED_SIGNIN_WINDOW - now) // 60 + 1
            raise AuthenticationError(f"Too many failed sign-ins. Try again in {wait} min.")


def _record_failure(email: str, now: float) -> None:
    with _failures_lock:
        _failures[email].append(now)


def session_expired(signed_in_at: float, now: float | None = None) -> bool:
    """Whether a dashboard session started at signed_in_at has run out."""
    return (now if now is not None else time.time()) - signed_in_at > SESSION_TTL_SECONDS


def ensure_admin_from_settings(engine: Engine, email: str | None, password: str | None) -> User | None:
    """Create the first admin from CONTENTCRAFT_ADMIN_EMAIL/_PASSWORD for headless starts, if nobody exists."""
    if not email or not password or has_users(engine):
        return None
    return create_user(engine, email=email, password=password, role="admin")


def create_first_admin(engine: Engine, *, email: str, password: str) -> User:
    """The one-time setup form: only works while the user table is empty."""
    if has_users(engine):
        raise PermissionDeniedError("Setup is already done: sign in, or ask an admin for an account.")
    return create_user(engine, email=email, password=password, role="admin")
