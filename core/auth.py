"""Users, password sign-in and role checks; every action is checked here, not only in pages."""

import functools
import re
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from .db import session_scope
from .errors import AuthenticationError, PermissionDeniedError, ValidationFailedError
from .identity import sessions, setup, throttle
from .models import User
from .i18n import _

ROLES = ("writer", "editor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
# The least role allowed to perform each action.
PERMISSIONS = {
    "generate": "writer", "edit_own": "writer", "submit": "writer",
    "edit_any": "editor", "review": "editor", "approve": "editor", "reject": "editor", "publish": "editor",
    "manage_brand": "editor", "view_analytics": "editor",
    "settings": "admin", "manage_users": "admin", "manage_sites": "admin",
}
SESSION_TTL_SECONDS = sessions.SESSION_TTL_SECONDS
MAX_FAILED_SIGNINS, FAILED_SIGNIN_WINDOW = throttle.LIMITS["account_client"], throttle.WINDOW_SECONDS
MIN_PASSWORD_LENGTH = 12  # OWASP ASVS 4.0 V2.1.1
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


def allowed(role: str, action: str) -> bool:
    """Whether a role may perform an action."""
    return ROLE_RANK.get(role, 0) >= ROLE_RANK[PERMISSIONS[action]]


def require(user: User, action: str) -> None:
    """Raise PermissionDeniedError unless user's role allows action."""
    if not user.is_active or not allowed(user.role, action):
        needed = PERMISSIONS[action]
        message = (_("Your role ({role}) cannot {action}; ask an editor or admin to do it.") if needed == "editor"
                   else _("Your role ({role}) cannot {action}; ask an admin to do it."))
        raise PermissionDeniedError(message.format(role=user.role, action=action.replace("_", " ")))


def hash_password(password: str) -> str:
    """The argon2id hash of a password that meets the length rule, or ValidationFailedError."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailedError(_("Passwords need at least {min_password_length} characters.")
                                    .format(min_password_length=MIN_PASSWORD_LENGTH))
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Whether password is user's (argon2 verify; False for accounts without a password)."""
    try:
        return bool(user.password_hash) and _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(engine: Engine, *, email: str, password: str, role: str = "writer") -> User:
    """Add a user with a salted argon2 password hash."""
    email, password_hash = _checked_new_user(email, password, role)
    with session_scope(engine) as session:
        return _insert_user(session, email, password_hash, role)


def _checked_new_user(email: str, password: str, role: str) -> tuple[str, str]:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationFailedError(_("{email!r} is not an email address.").format(email=email))
    if role not in ROLES:
        raise ValidationFailedError(_("Unknown role {role!r}: choose writer, editor or admin.")
                                    .format(role=role))
    return email, hash_password(password)


def _insert_user(session, email: str, password_hash: str, role: str) -> User:
    if session.exec(select(User).where(User.email == email)).first():
        raise ValidationFailedError(_("A user with the email {email} already exists.").format(email=email))
    user = User(email=email, password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    session.refresh(user)
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


def authenticate(engine: Engine, *, email: str, password: str, client: str = "", clock=time.time) -> User:
    """The user for these credentials; failures are throttled per client and account (identity.throttle).

    The attempt is counted before the slow hash, and an unknown email costs the same hash as a known one.
    """
    email = email.strip().lower()
    attempt = throttle.reserve(engine, email, client, clock())
    user = get_user(engine, email)
    try:
        if user is None or not user.is_active or not user.password_hash:
            _hasher.verify(_dummy_hash(), password)  # the same work as a real check, then refuse
            raise VerificationError("unknown user")
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationError(_("Wrong email or password.")) from None
    throttle.succeeded(engine, email, client, attempt)
    return user


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def sso_user(engine: Engine, claims: dict) -> User:
    """The active user for an OpenID Connect identity whose provider verified the email, else AuthenticationError."""
    email, verified = str(claims.get("email") or ""), claims.get("email_verified")
    if not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
        raise AuthenticationError(_("Your organisation's sign-in did not confirm that {email} is yours "
                                    "(email_verified), so it cannot open a ContentCraft account. Ask your admin.")
                                  .format(email=email or 'your email'))
    user = get_user(engine, email) if email else None
    if user is None or not user.is_active:
        raise AuthenticationError(_("{email} has no ContentCraft account yet: ask an admin to add you.")
                                  .format(email=email))
    return user


def session_expired(signed_in_at: float, now: float | None = None) -> bool:
    """Whether a dashboard session started at signed_in_at has run out."""
    return (now if now is not None else time.time()) - signed_in_at > SESSION_TTL_SECONDS


def ensure_admin_from_settings(engine: Engine, email: str | None, password: str | None) -> User | None:
    """Create the first admin from CONTENTCRAFT_ADMIN_EMAIL/_PASSWORD for headless starts, if nobody exists."""
    if not email or not password or has_users(engine):
        return None
    return _claim_first_admin(engine, email, password, token=None)


def create_first_admin(engine: Engine, *, email: str, password: str, token: str) -> User:
    """The one-time setup form: needs the token from the server log, and succeeds once, ever."""
    if has_users(engine):
        raise PermissionDeniedError(_(setup.DONE))
    return _claim_first_admin(engine, email, password, token=token.strip())


def _claim_first_admin(engine: Engine, email: str, password: str, token: str | None) -> User:
    email, password_hash = _checked_new_user(email, password, "admin")  # hash first: keep the transaction short
    with session_scope(engine) as session:
        setup.claim(session, email, token)
        return _insert_user(session, email, password_hash, "admin")

