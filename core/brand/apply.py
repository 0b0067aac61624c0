"""Applying a profile during generation: resolve it, write its prompt instructions, score the result."""

import string
from contextvars import ContextVar

from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..errors import NotFoundError
from ..schemas import BrandConsistency, ContentData, ContentRequest, ContentResponse, ProductData
from ..text import cut_to_units
from .analysis import html_to_text
from .models import BrandProfile, BrandScore
from .profiles import get_profile, profile_by_id
from .scoring import no_reference_reason, score_text
from ..i18n import _

EXAMPLE_CHARS = 400
# The profile resolved for the generation running in this thread (or task), read by the prompt hook.
_resolved: ContextVar[BrandProfile | None] = ContextVar("contentcraft_brand_profile", default=None)


def resolve_brand(engine: Engine, request) -> BrandProfile | None:
    """The profile the request names (None if it names none); an unknown name is an error."""
    name = (request.brand_profile or "").strip()
    profile = get_profile(engine, name) if name else None
    if name and profile is None:
        raise NotFoundError(_("There is no brand profile named {name!r}: pick one on the Brand voice page, or leave "
                              "the field empty.").format(name=name))
    _resolved.set(profile)
    return profile


def profile_for(request) -> BrandProfile | None:
    """The resolved profile if it is the one this request names, else a fresh look-up."""
    name = (request.brand_profile or "").strip()
    if not name:
        return None
    profile = _resolved.get()
    if profile is not None and profile.name.casefold() == " ".join(name.split()).casefold():
        return profile
    from ..db import get_engine

    return get_profile(get_engine(), name)


def instructions(profile: BrandProfile, request) -> str:
    """The prompt lines that apply a profile: description, rules, words and one short example."""
    lines = [f'Write in the brand voice "{profile.name}".']
    if profile.description:
        lines.append(f"Voice: {profile.description}")
    lines.append(f"Tone: {profile.tone}; vocabulary: {profile.vocabulary_level}; "
                 f"sentences: {profile.sentence_length}.")
    lines += [f"Do: {rule}" for rule in profile.rules_do]
    lines += [f"Don't: {rule}" for rule in profile.rules_dont]
    if profile.preferred_words:
        lines.append("Prefer these words: " + ", ".join(profile.preferred_words))
    if profile.banned_words:
        lines.append("Never use these words: " + ", ".join(profile.banned_words))
    if profile.examples:
        example = cut_to_units(profile.examples[0], EXAMPLE_CHARS)
        lines.append(f'Example of the voice (imitate its style, not its content):\n"""{example}"""')
    if profile.prompt_template.strip():
        lines.append(string.Template(profile.prompt_template).safe_substitute(_template_values(request)))
    return "\n".join(lines)


def _template_values(request) -> dict[str, str]:
    subject = request.topic if isinstance(request, ContentRequest) else request.name
    return {"topic": subject, "name": subject, "language": request.language, "tone": request.tone,
            "keywords": ", ".join(getattr(request, "keywords", []))}


def scored_text(data) -> str:
    """The prose of a generated item: the body of a post, or a product's descriptions and bullets."""
    if hasattr(data, "body_html"):
        return html_to_text(data.body_html)
    return "\n".join([data.short_description, html_to_text(data.description_html), *data.bullet_features])


def score_with_profile(profile: BrandProfile, text: str, language: str | None = None) -> tuple[int | None, list[str]]:
    """(score 0–100 or None, reasons) for plain text against the profile, in language (default: the profile's)."""
    language = language or profile.language
    reference = profile.references.get(language)
    if reference is None:
        return None, [no_reference_reason(language)]
    return score_text(reference, text, profile.banned_words)


def score_for(profile: BrandProfile | None, request, data) -> BrandConsistency | None:
    """The consistency of generated data with the profile, in the request's language."""
    if profile is None:
        return None
    return consistency(profile, request.language, scored_text(data))


def consistency(profile: BrandProfile, language: str, text: str) -> BrandConsistency:
    """Score plain text in language against the profile's reference for that language."""
    result = BrandConsistency(profile=profile.name, profile_id=profile.id, version=profile.version)
    result.score, result.differences = score_with_profile(profile, text, language)
    return result


def score_passage(engine: Engine, user, profile_name: str, text: str, language: str | None = None,
                  html: bool = False) -> BrandConsistency:
    """How close a passage (plain text, or HTML when html) is to a profile's samples; language is detected if None."""
    from ..auth import require
    from .languages import detect_language

    require(user, "generate")
    profile = get_profile(engine, profile_name)
    if profile is None:
        raise NotFoundError(_("There is no brand profile named {profile_name!r}: check the name on the Brand voice "
                              "page.").format(profile_name=profile_name))
    text = html_to_text(text) if html else text
    return consistency(profile, language or detect_language(text), text)


def record_score(session, language: str, response: ContentResponse) -> None:
    """Store a response's score for analytics, linked to its saved item."""
    consistency = response.brand_score
    if consistency is None:
        return
    session.add(BrandScore(item_id=response.item_id, profile_id=consistency.profile_id,
                           profile_name=consistency.profile, profile_version=consistency.version,
                           language=language, type=response.type, score=consistency.score,
                           differences=consistency.differences))


def item_scores(engine: Engine, item_ids: list[int]) -> dict[int, BrandScore]:
    """The latest stored score of each item that has one (for the Library and Studio)."""
    if not item_ids:
        return {}
    with session_scope(engine) as session:
        rows = session.exec(select(BrandScore).where(BrandScore.item_id.in_(list(item_ids)))
                            .order_by(BrandScore.id))
        return {row.item_id: row for row in rows}


def reasons_now(engine: Engine, stored: BrandScore, item) -> list[str]:
    """A stored score's reasons in the current language: worked out again when the same profile version still gives
    the item the same score (reasons are stored in the language of whoever generated it), else as stored."""
    try:
        profile = profile_by_id(engine, stored.profile_id)
    except NotFoundError:
        return stored.differences
    if profile.version != stored.profile_version:
        return stored.differences
    model = ProductData if item.type == "product" else ContentData
    score, reasons = score_with_profile(profile, scored_text(model.model_validate(item.data_json)), stored.language)
    return reasons if score == stored.score else stored.differences


def score_label(score: int | None) -> str:
    """How a score reads next to an item: "82/100 · close" (or why there is none)."""
    if score is None:
        return _("not scored")
    verdict = _("close") if score >= 70 else _("drifting") if score >= 40 else _("off-voice")
    return f"{score}/100 · {verdict}"
