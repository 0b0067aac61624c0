"""Tables for API access: tokens (hashed), idempotency records and the per-call audit log."""

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from ..models import utcnow


class ApiToken(SQLModel, table=True):
    """A personal API token: only its SHA-256 is stored; `role` is the most it may do (never above the user's)."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    role: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST sent with an Idempotency-Key, replayed for 24 h (state: started|done)."""

    __tablename__ = "idempotency_record"
    __table_args__ = (Index("ix_idempotency_record_user_key", "user_id", "key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    state: str = Field(default="started", max_length=20)
    status_code: int = 0
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ApiCall(SQLModel, table=True):
    """One API request: who (token and user), which endpoint, the HTTP status, latency and problem type."""

    __tablename__ = "api_call"
    __table_args__ = (Index("ix_api_call_endpoint_created", "endpoint", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    token_id: int | None = None
    user: str = Field(default="", max_length=255)
    method: str = Field(max_length=10)
    endpoint: str = Field(max_length=120)
    status_code: int
    latency_ms: float = 0.0
    problem: str = Field(default="", max_length=60)
