"""Brand voice tables: profiles, their saved versions, training samples and consistency scores."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from ..models import utcnow


class BrandProfile(SQLModel, table=True):
    """A brand voice: the seed's fields, the trained description and rules, and the current version."""

    __tablename__ = "brand_profile"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    is_default: bool = False
    language: str = Field(default="en", max_length=8)
    tone: str = Field(default="professional", max_length=40)
    vocabulary_level: str = Field(default="moderate", max_length=20)
    sentence_length: str = Field(default="medium", max_length=20)
    prompt_template: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rules_do: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rules_dont: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    preferred_words: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    banned_words: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    examples: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Scoring references per language, rebuilt from the samples whenever a version is saved.
    references: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class BrandProfileVersion(SQLModel, table=True):
    """A saved state of a profile; every save adds one, so the cache key and scores can name it."""

    __tablename__ = "brand_profile_version"
    __table_args__ = (Index("ix_brand_profile_version_profile", "profile_id", "version", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="brand_profile.id")
    version: int
    snapshot: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=255)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class BrandSample(SQLModel, table=True):
    """A passage of the brand's own writing that a profile is trained and scored on."""

    __tablename__ = "brand_sample"

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="brand_profile.id", index=True)
    language: str = Field(default="en", max_length=8)
    source: str = Field(default="paste", max_length=255)
    title: str = Field(default="", max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class BrandScore(SQLModel, table=True):
    """The consistency score of one generated item against the profile version it was written with."""

    __tablename__ = "brand_score"
    __table_args__ = (Index("ix_brand_score_profile_created", "profile_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Plain ids, not foreign keys: scores are history and must outlive deleted items and profiles.
    item_id: int | None = Field(default=None, index=True)
    profile_id: int
    profile_name: str = Field(max_length=80)
    profile_version: int
    language: str = Field(default="en", max_length=8)
    type: str = Field(default="content", max_length=20)
    score: int | None = None
    differences: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
