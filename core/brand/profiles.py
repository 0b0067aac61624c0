"""Brand profiles and their samples: create, edit (each save is a new version), list and delete."""

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from ..i18n import _
from ..models import User, utcnow
from ..schemas import Language, _clean_list
from .analysis import Figures, analyze
from .models import BrandProfile, BrandProfileVersion, BrandSample
from . import voiceprint
from .languages import kit
from .scoring import build_reference

MAX_SAMPLE_CHARS = 20_000
VOCABULARY_LEVELS = ("simple", "moderate", "advanced")
SENTENCE_LENGTHS = ("short", "medium", "long")


class VoiceFields(BaseModel):
    """Everything an editor sets on a profile; saving these makes a new version."""

    model_config = ConfigDict(str_strip_whitespace=True)

    language: Language = "en"
    tone: str = Field("professional", min_length=2, max_length=40)
    vocabulary_level: Literal["simple", "moderate", "advanced"] = "moderate"
    sentence_length: Literal["short", "medium", "long"] = "medium"
    prompt_template: str = Field("", max_length=2000)
    description: str = Field("", max_length=2000)
    rules_do: list[str] = Field(default_factory=list, max_length=15)
    rules_dont: list[str] = Field(default_factory=list, max_length=15)
    preferred_words: list[str] = Field(default_factory=list, max_length=40)
    banned_words: list[str] = Field(default_factory=list, max_length=40)
    examples: list[str] = Field(default_factory=list, max_length=5)

    @field_validator("rules_do", "rules_dont", "preferred_words", "banned_words", "examples", mode="before")
    @classmethod
    def _clean(cls, value):
        if isinstance(value, str):
            value = value.splitlines()
        return _clean_list([str(v) for v in value])

    @classmethod
    def of(cls, profile: BrandProfile) -> "VoiceFields":
        return cls.model_validate({name: getattr(profile, name) for name in cls.model_fields})


class SampleIn(BaseModel):
    """A sample about to be stored."""

    text: str = Field(min_length=1, max_length=MAX_SAMPLE_CHARS)
    language: Language = "en"
    source: str = Field("paste", max_length=255)
    title: str = Field("", max_length=255)


def check_can_manage(engine: Engine, actor: str) -> None:
    """Editors and admins manage profiles; before anyone has an account, everyone may."""
    with session_scope(engine) as session:
        if not session.exec(select(func.count()).select_from(User)).one():
            return
        user = session.exec(select(User).where(User.email == actor.strip().lower())).first()
    from ..auth import require

    if user is None:
        raise PermissionDeniedError(_("Sign in as an editor or admin to manage brand profiles."))
    require(user, "manage_brand")


def profile_name(name: str) -> str:
    """name with its spaces collapsed; ValidationFailedError if it is empty, too long, only dots, or holds a
    slash, backslash or control character (a name is a path segment of /api/brand/{profile}/…)."""
    collapsed = " ".join(name.split())
    if not 1 <= len(collapsed) <= 80:
        raise ValidationFailedError(_("Give the profile a name of 1 to 80 characters."))
    if (set(collapsed) <= {"."} or any(c in "/\\" for c in name)
            or any(unicodedata.category(c) == "Cc" for c in name)):
        raise ValidationFailedError(_("{name} cannot be a profile name: use letters, digits and spaces, without "
                                      "slashes, control characters or only dots.").format(name=repr(collapsed)))
    return collapsed


def create_profile(engine: Engine, actor: str, name: str, fields: VoiceFields | None = None) -> BrandProfile:
    """A new profile at version 1 (the first profile becomes the default)."""
    check_can_manage(engine, actor)
    name = profile_name(name)
    if get_profile(engine, name) is not None:
        raise ValidationFailedError(_("A brand profile named {name!r} already exists; pick another name.")
                                    .format(name=name))
    fields = fields or VoiceFields()
    with session_scope(engine) as session:
        first = not session.exec(select(func.count()).select_from(BrandProfile)).one()
        profile = BrandProfile(name=name, is_default=first, created_by=actor, version=1, **fields.model_dump())
        session.add(profile)
        session.flush()
        session.add(BrandProfileVersion(profile_id=profile.id, version=1, snapshot=snapshot(profile),
                                        note="created", created_by=actor))
        return profile


def profile_key(name: str) -> str:
    """A profile name as names are compared: case and extra spaces ignored."""
    return " ".join(name.split()).casefold()


def profile_keys(engine: Engine) -> frozenset[str]:
    """Every profile's profile_key(): what a bulk file's brand_profile cells are checked against."""
    with session_scope(engine) as session:
        return frozenset(profile_key(name) for name in session.exec(select(BrandProfile.name)))


def get_profile(engine: Engine, name: str) -> BrandProfile | None:
    """The profile with this name, ignoring case and extra spaces."""
    wanted = profile_key(name)
    with session_scope(engine) as session:
        found = next((p for p in session.exec(select(BrandProfile)) if profile_key(p.name) == wanted), None)
    return found and up_to_date(engine, found)


def profile_by_id(engine: Engine, profile_id: int) -> BrandProfile:
    """The profile, or NotFoundError."""
    with session_scope(engine) as session:
        profile = session.get(BrandProfile, profile_id)
        if profile is None:
            raise NotFoundError(_("There is no brand profile #{profile_id}; it may have been deleted.")
                                .format(profile_id=profile_id))
    return up_to_date(engine, profile)


def list_profiles(engine: Engine) -> list[BrandProfile]:
    """Every profile, the default first, then by name."""
    with session_scope(engine) as session:
        found = list(session.exec(select(BrandProfile).order_by(BrandProfile.is_default.desc(), BrandProfile.name)))
    return [up_to_date(engine, profile) for profile in found]


def default_profile(engine: Engine) -> BrandProfile | None:
    """The profile marked as default, if any."""
    with session_scope(engine) as session:
        found = session.exec(select(BrandProfile).where(BrandProfile.is_default)).first()
    return found and up_to_date(engine, found)


def up_to_date(engine: Engine, profile: BrandProfile) -> BrandProfile:
    """The profile, its scoring references first rebuilt from its stored samples if an earlier scorer built them.

    The rebuild keeps the version (the voice did not change, only how it is measured) and is stored, so it
    happens once per profile after an upgrade.
    """
    if all(voiceprint.is_current(ref.get("voiceprint"), language) for language, ref in profile.references.items()):
        return profile
    references = build_references(samples(engine, profile.id))
    with session_scope(engine) as session:
        stored = session.get(BrandProfile, profile.id)
        if stored is not None:
            stored.references = references
            session.add(stored)
    profile.references = references
    return profile


def save_version(engine: Engine, actor: str, profile_id: int, fields: VoiceFields,
                 note: str = "edited") -> BrandProfile:
    """Store fields as the profile's next version, rebuild its scoring references, fire brand_trained."""
    check_can_manage(engine, actor)
    references = build_references(samples(engine, profile_id))
    with session_scope(engine) as session:
        profile = session.get(BrandProfile, profile_id)
        if profile is None:
            raise NotFoundError(_("There is no brand profile #{profile_id}; it may have been deleted.")
                                .format(profile_id=profile_id))
        for name, value in fields.model_dump().items():
            setattr(profile, name, value)
        profile.references, profile.version, profile.updated_at = references, profile.version + 1, utcnow()
        session.add(profile)
        session.add(BrandProfileVersion(profile_id=profile.id, version=profile.version, snapshot=snapshot(profile),
                                        note=note[:255], created_by=actor))
    from ..plugins import pm

    pm.hook.brand_trained(profile=snapshot(profile))
    return profile


def set_default(engine: Engine, actor: str, profile_id: int) -> None:
    """Make this the one default profile."""
    check_can_manage(engine, actor)
    with session_scope(engine) as session:
        for profile in session.exec(select(BrandProfile)):
            profile.is_default = profile.id == profile_id
            session.add(profile)


def delete_profile(engine: Engine, actor: str, profile_id: int) -> None:
    """Remove a profile with its samples and versions (stored scores stay, for analytics).

    If it was the default, the first remaining profile by name becomes the default.
    """
    check_can_manage(engine, actor)
    with session_scope(engine) as session:
        session.exec(delete(BrandSample).where(BrandSample.profile_id == profile_id))
        session.exec(delete(BrandProfileVersion).where(BrandProfileVersion.profile_id == profile_id))
        session.exec(delete(BrandProfile).where(BrandProfile.id == profile_id))
        remaining = list(session.exec(select(BrandProfile).order_by(BrandProfile.name)))
        if remaining and not any(p.is_default for p in remaining):
            remaining[0].is_default = True
            session.add(remaining[0])


def versions(engine: Engine, profile_id: int) -> list[BrandProfileVersion]:
    """Every saved version, newest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(BrandProfileVersion).where(BrandProfileVersion.profile_id == profile_id)
                                 .order_by(BrandProfileVersion.version.desc())))


def add_samples(engine: Engine, actor: str, profile_id: int, new: list[SampleIn]) -> int:
    """Store samples with the profile; they count once the profile is next saved or trained."""
    check_can_manage(engine, actor)
    profile_by_id(engine, profile_id)
    with session_scope(engine) as session:
        session.add_all(BrandSample(profile_id=profile_id, **sample.model_dump()) for sample in new)
    return len(new)


def delete_sample(engine: Engine, actor: str, sample_id: int) -> None:
    """Remove one sample."""
    check_can_manage(engine, actor)
    with session_scope(engine) as session:
        session.exec(delete(BrandSample).where(BrandSample.id == sample_id))


def samples(engine: Engine, profile_id: int) -> list[BrandSample]:
    """The profile's samples, oldest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(BrandSample).where(BrandSample.profile_id == profile_id)
                                 .order_by(BrandSample.id)))


def by_language(stored: list[BrandSample]) -> dict[str, list[str]]:
    """Sample texts grouped by language."""
    grouped: dict[str, list[str]] = {}
    for sample in stored:
        grouped.setdefault(sample.language, []).append(sample.text)
    return grouped


def analyze_samples(stored: list[BrandSample]) -> dict[str, Figures]:
    """The analysis figures for each language the samples are in."""
    return {language: analyze(texts, language) for language, texts in by_language(stored).items()}


def sample_length(text: str, language: str) -> tuple[int, str]:
    """A sample's length in the units its language is measured in: (count, "words" or "characters" for ja/zh)."""
    mode = kit(language).mode
    return voiceprint.units_of(voiceprint.clean(text), mode), "characters" if mode == "chars" else "words"


def build_references(stored: list[BrandSample]) -> dict[str, dict]:
    """Scoring references for each language with enough sample text."""
    built = {language: build_reference(texts, language) for language, texts in by_language(stored).items()}
    return {language: reference for language, reference in built.items() if reference is not None}


def snapshot(profile: BrandProfile) -> dict:
    """The profile as plain data (what brand_trained receives and each version stores)."""
    data = VoiceFields.of(profile).model_dump()
    data.update(id=profile.id, name=profile.name, version=profile.version, is_default=profile.is_default,
                languages=sorted(profile.references))
    return data
