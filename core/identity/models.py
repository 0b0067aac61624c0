"""Tables for sessions, sign-in attempts and the one-time first-run setup claim."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from ..models import utcnow


class UserSession(SQLModel, table=True):
    """A signed-in dashboard session; deleting the row signs it out everywhere (cookie included)."""

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)  # random, kept only in server memory (session_state)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)  # SHA-256 of the cookie token
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)  # one-time code that sets it
    via: str = Field(default="password", max_length=20)  # password | sso | setup
    client: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class SigninAttempt(SQLModel, table=True):
    """A password sign-in that failed or is being checked, under each key it is throttled by."""

    __tablename__ = "signin_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=320, index=True)  # client:IP, account:EMAIL or account:EMAIL|client:IP
    created_at: datetime = Field(default_factory=utcnow, index=True)


class SetupClaim(SQLModel, table=True):
    """The single row (id 1) guarding first-run setup: its token, and who claimed it."""

    __tablename__ = "setup_claim"

    id: int = Field(default=1, primary_key=True)
    token_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=255)
    claimed_at: datetime | None = None
