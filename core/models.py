"""SQLModel tables: the generation log, users, content items and the cache."""

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, Index, Text, event
from sqlmodel import Field, SQLModel

from .text import clean_controls


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every timestamp is stored in UTC."""
    return datetime.now(timezone.utc)


class GenerationLog(SQLModel, table=True):
    """One row per generation attempt, cache hits included (the seed's log table, extended)."""

    __tablename__ = "generation_log"
    __table_args__ = (
        Index("ix_generation_log_created_at", "created_at"),
        Index("ix_generation_log_user_created", "user", "created_at"),
        Index("ix_generation_log_type_created", "type", "created_at"),
        Index("ix_generation_log_provider_created", "provider", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user: str = Field(max_length=255)
    type: str = Field(max_length=20)
    target: str = Field(default="", max_length=255)
    tokens: int = 0
    latency_ms: int = 0
    status: str = Field(max_length=20)
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    provider: str = Field(default="", max_length=40)
    model: str = Field(default="", max_length=120)
    language: str = Field(default="", max_length=8)
    tone: str = Field(default="", max_length=40)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cache_hit: bool = False
    truncated: bool = False  # the model stopped at the token limit at least once (then retried with more)
    host: str = Field(default="", max_length=255)  # where the request went: api.openai.com, 127.0.0.1:8000…
    detected_language: str = Field(default="", max_length=8)  # what the result is written in; "" if unknown


class User(SQLModel, table=True):
    """A person who signs in; role is writer, editor or admin."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(default="writer", max_length=20)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    language: str | None = Field(default=None, max_length=8)  # dashboard language; None: the browser's


class ContentItem(SQLModel, table=True):
    """A generated blog post or product description, as saved to the Library."""

    __tablename__ = "content_item"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=20, index=True)
    status: str = Field(default="draft", max_length=20, index=True)
    title: str = Field(default="", max_length=255)
    language: str = Field(default="en", max_length=8)
    author: str = Field(max_length=255, index=True)
    request_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    data_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    provider: str = Field(default="", max_length=40)
    model: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    warnings: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))


class CacheEntry(SQLModel, table=True):
    """A cached generation result, valid until expires_at."""

    __tablename__ = "cache_entry"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime = Field(index=True)


class ContentVersion(SQLModel, table=True):
    """One saved state of a content item: every save or regeneration adds one."""

    __tablename__ = "content_version"
    __table_args__ = (Index("ix_content_version_item", "item_id", "version", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="content_item.id")
    version: int
    data_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=255)
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """A workflow transition: who moved which item from what to what, when and why."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="content_item.id", index=True)
    actor: str = Field(max_length=255)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    via: str = Field(default="", max_length=255)  # "" from the dashboard; "via CLI by the OS user X as Y"
    created_at: datetime = Field(default_factory=utcnow)


class AppSetting(SQLModel, table=True):
    """A setting changed in the dashboard; environment and secrets.toml values still win."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_by: str = Field(max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


@event.listens_for(ContentItem, "before_insert")
@event.listens_for(ContentItem, "before_update")
@event.listens_for(ContentVersion, "before_insert")
def _space_control_characters(mapper, connection, target) -> None:
    """Content is stored with control characters (vertical tab, form feed…) turned into spaces.

    Left in, they are dropped by spreadsheet exports (joining the words around them) and kept raw in
    CSV and on WordPress; a space keeps the words apart everywhere.
    """
    for name in ("title", "data_json", "request_json"):
        if hasattr(target, name):
            setattr(target, name, clean_controls(getattr(target, name)))
