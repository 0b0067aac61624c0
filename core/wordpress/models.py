"""Tables: the WordPress sites an admin connected, and where each item was published."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import utcnow


class Site(SQLModel, table=True):
    """A WordPress site; the Application Password and WooCommerce keys are Fernet-encrypted."""

    __tablename__ = "wp_site"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    base_url: str = Field(max_length=500)
    username: str = Field(max_length=120)
    password_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    woo_key_encrypted: str | None = Field(default=None, sa_column=Column(Text))
    woo_secret_encrypted: str | None = Field(default=None, sa_column=Column(Text))
    private_ok: bool = False  # an admin confirmed that a private network address is this site
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Publication(SQLModel, table=True):
    """One item on one site: the remote post (or product) it became, and how the last attempt went.

    The row and its idempotency key are written before anything is sent, so a retry after a
    timeout or crash can find the post an earlier attempt created instead of making a second one.
    """

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("item_id", "site_id", name="uq_publication_item_site"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="content_item.id", index=True)
    site_id: int = Field(foreign_key="wp_site.id", index=True)
    kind: str = Field(default="post", max_length=20)
    idempotency_key: str = Field(max_length=64, unique=True)
    state: str = Field(default="pending", max_length=20)
    remote_id: int | None = None
    url: str = Field(default="", max_length=1000)
    remote_status: str = Field(default="", max_length=20)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    attempts: int = 0
    published_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    remote_date: datetime | None = None  # the post's date on the site (UTC): when a scheduled post goes live
