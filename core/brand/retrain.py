"""Training in one call, for scripts and the WordPress plugin: texts in, a new saved profile version out."""

from pydantic import BaseModel, Field
from sqlalchemy import delete

from ..auth import require
from ..db import session_scope
from ..errors import ContentCraftError, ValidationFailedError
from ..i18n import _
from ..models import User
from ..schemas import Language
from .analysis import html_to_text
from .models import BrandProfile, BrandProfileVersion, BrandSample
from .profiles import VoiceFields, analyze_samples, create_profile, get_profile, samples, save_version
from .profiles import profile_name as check_name
from .sources import MIN_SAMPLE_CHARS, sample
from .training import choose_examples, sentence_length, train, vocabulary_level

MAX_TEXTS = 50


class SourceText(BaseModel):
    """One passage of the brand's own writing (a published post, a page, a newsletter)."""

    text: str = Field(min_length=1, max_length=200_000)
    html: bool = Field(False, description="The text is HTML (a post's content); it is reduced to its prose first.")
    title: str = Field("", max_length=255)
    source: str = Field("api", max_length=255, description="Where it comes from, e.g. the post's URL.")


class TrainingOutcome(BaseModel):
    """The profile version the texts produced."""

    profile: str
    profile_id: int
    version: int
    created: bool = Field(description="True when the profile did not exist and was made from these texts.")
    samples_added: int
    samples_skipped: int = Field(description="Texts too short to learn from, or already samples of the profile.")
    samples_total: int
    languages: list[str] = Field(description="Languages the profile can now score text in.")
    described: bool = Field(description="True when the model wrote the voice description and rules.")
    description: str
    tone: str
    rules_do: list[str]
    rules_dont: list[str]
    provider: str = ""
    model: str = ""


def train_from_texts(generator, user: User, profile_name: str, texts: list[SourceText], *,
                     language: Language | None = None, describe: bool = True, provider: str | None = None,
                     model: str | None = None) -> TrainingOutcome:
    """Add texts as samples of the named profile (made if missing), retrain it and save a new version.

    describe=True has the model write the description and rules (brand/training.py); False only recomputes
    the figures-based fields. Fires the brand_trained hook. If training fails nothing is kept.
    Raises PermissionDeniedError (writers), ValidationFailedError (no usable text), provider errors.
    """
    require(user, "manage_brand")
    profile_name = check_name(profile_name)
    engine = generator.engine
    if not 1 <= len(texts) <= MAX_TEXTS:
        raise ValidationFailedError(_("Send between 1 and {limit} texts at a time.").format(limit=MAX_TEXTS))
    profile = get_profile(engine, profile_name)
    known = {s.text for s in samples(engine, profile.id)} if profile else set()
    new = _usable(texts, language, known)
    if not new:
        raise ValidationFailedError(_("None of the texts has {count} characters or more of writing that is not "
                                      "already a sample of the profile; send longer or other posts.")
                                    .format(count=MIN_SAMPLE_CHARS))
    created = profile is None
    if created:
        main = max({s.language for s in new}, key=lambda code: sum(s.language == code for s in new))
        profile = create_profile(engine, user.email, profile_name, VoiceFields(language=language or main))
    added = _store(engine, profile.id, new)
    try:
        fields, used = _voice(generator, user, profile, describe, provider, model)
        saved = save_version(engine, user.email, profile.id, fields, note=f"trained from {len(new)} texts (API)")
    except ContentCraftError:
        _undo(engine, profile.id if created else None, added)
        raise
    return TrainingOutcome(profile=saved.name, profile_id=saved.id, version=saved.version, created=created,
                           samples_added=len(new), samples_skipped=len(texts) - len(new),
                           samples_total=len(known) + len(new), languages=sorted(saved.references),
                           described=describe, description=saved.description, tone=saved.tone,
                           rules_do=saved.rules_do, rules_dont=saved.rules_dont, provider=used[0], model=used[1])


def _usable(texts: list[SourceText], language: str | None, known: set[str]) -> list:
    """The texts as samples, without the too short and the already stored (or repeated) ones."""
    found, seen = [], set(known)
    for item in texts:
        try:
            candidate = sample(html_to_text(item.text) if item.html else item.text, item.source, language, item.title)
        except ValidationFailedError:
            continue
        if candidate.text not in seen:
            seen.add(candidate.text)
            found.append(candidate)
    return found


def _store(engine, profile_id: int, new: list) -> list[int]:
    with session_scope(engine) as session:
        rows = [BrandSample(profile_id=profile_id, **s.model_dump()) for s in new]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _voice(generator, user: User, profile: BrandProfile, describe: bool, provider, model):
    """(the fields to save, (provider, model) that wrote them or ('', ''))."""
    if describe:
        proposal = train(generator, profile.id, user.email, provider=provider, model=model)
        return proposal.fields, (proposal.provider, proposal.model)
    stored = samples(generator.engine, profile.id)
    figures = analyze_samples(stored)
    language = profile.language if profile.language in figures else max(figures, key=lambda k: figures[k].units)
    texts = [s.text for s in stored if s.language == language]
    fields = VoiceFields.of(profile).model_copy(update={
        "vocabulary_level": vocabulary_level(figures[language]), "sentence_length": sentence_length(figures[language]),
        "examples": profile.examples or choose_examples(texts)})
    return fields, ("", "")


def _undo(engine, created_id: int | None, sample_ids: list[int]) -> None:
    """Remove what a failed training stored: its samples, and the profile if it was made for it."""
    with session_scope(engine) as session:
        session.exec(delete(BrandSample).where(BrandSample.id.in_(sample_ids)))
        if created_id is not None:
            session.exec(delete(BrandProfileVersion).where(BrandProfileVersion.profile_id == created_id))
            session.exec(delete(BrandProfile).where(BrandProfile.id == created_id))
