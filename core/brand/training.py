"""Training: figures from the samples in code, then the model writes the voice description and rules."""

import time
from dataclasses import dataclass

from pydantic import BaseModel, Field

from .. import prompts
from ..db import session_scope
from ..errors import ContentCraftError, ValidationFailedError
from ..logs import log_generation
from ..models import GenerationLog
from ..pricing import cost_usd
from ..answers import Tally, ask
from ..providers import Completion
from ..schemas import LANGUAGES
from ..seo import plain_text
from ..text import cut_to_units
from .analysis import Figures, split_sentences
from .profiles import VoiceFields, analyze_samples, by_language, profile_by_id, samples
from .rules import settle
from ..i18n import _

PASSAGE_BUDGET = 2400  # characters of samples shown to the model; small models have small contexts
EXAMPLE_CHARS = 400


class VoiceDraft(BaseModel):
    """What the model is asked to write about a voice."""

    description: str = Field(min_length=1, max_length=700)
    tone: str = Field("", max_length=40)
    rules_do: list[str] = Field(default_factory=list, max_length=5)
    rules_dont: list[str] = Field(default_factory=list, max_length=5)
    preferred_words: list[str] = Field(default_factory=list, max_length=8)
    banned_words: list[str] = Field(default_factory=list, max_length=8)


# Bounded lengths keep a small local model from rambling; llama.cpp's grammar cost grows with each bound.
VOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "description": {"type": "string", "minLength": 1, "maxLength": 400},
        "tone": {"type": "string", "maxLength": 30},
        **{name: {"type": "array", "items": {"type": "string", "maxLength": length}, "maxItems": limit}
           for name, limit, length in (("rules_do", 5, 60), ("rules_dont", 5, 60), ("preferred_words", 8, 40),
                                       ("banned_words", 8, 40))},
    },
    "required": ["description", "tone", "rules_do", "rules_dont", "preferred_words", "banned_words"],
}


@dataclass
class Training:
    """A proposed voice for the editor to review, and the figures it was written from."""

    fields: VoiceFields
    figures: dict[str, Figures]
    provider: str
    model: str


def train(generator, profile_id: int, user: str, *, provider: str | None = None,
          model: str | None = None) -> Training:
    """Analyse the profile's samples and have the model propose a voice (nothing is saved yet)."""
    engine = generator.engine
    profile = profile_by_id(engine, profile_id)
    stored = samples(engine, profile_id)
    if not stored:
        raise ValidationFailedError(_("Add samples of your writing before training the profile."))
    figures = analyze_samples(stored)
    language = profile.language if profile.language in figures else max(figures, key=lambda k: figures[k].units)
    texts = by_language(stored)[language]
    messages = [{"role": "system", "content": prompts.render("brand_voice_system")},
                {"role": "user", "content": prompts.render("brand_voice", name=profile.name,
                                                           figures=describe(figures[language]),
                                                           passages=excerpts(texts))}]
    chain = generator.chain(provider, model)
    generator.limiter.hit(user)
    draft, completions = _ask(chain, messages, engine, user, profile.name, language)
    rules_do, rules_dont, banned = settle(_plain(draft.rules_do), _plain(draft.rules_dont), texts, language,
                                          _plain(draft.banned_words))
    fields = VoiceFields.of(profile).model_copy(update={
        "language": language, "description": plain_text(draft.description),
        "tone": cut_to_units(plain_text(draft.tone), 40) if len(plain_text(draft.tone)) >= 2 else profile.tone,
        "rules_do": rules_do, "rules_dont": rules_dont,
        "preferred_words": _plain(draft.preferred_words), "banned_words": banned,
        "vocabulary_level": vocabulary_level(figures[language]), "sentence_length": sentence_length(figures[language]),
        "examples": choose_examples(texts)})
    last = completions[-1]
    return Training(VoiceFields.model_validate(fields.model_dump()), figures, last.provider, last.model)


def _ask(chain: list, messages: list, engine, user: str, name: str, language: str):
    """One call plus one repair if the JSON is unusable; every attempt is logged as type "brand"."""
    tally, started = Tally(), time.perf_counter()
    try:
        draft = ask(chain, messages, VoiceDraft, tally, schema=VOICE_SCHEMA)
    except ContentCraftError as error:
        _log(engine, user, name, language, tally.completions, started, str(error))
        raise
    _log(engine, user, name, language, tally.completions, started, None)
    return draft, tally.completions


def _log(engine, user: str, name: str, language: str, completions: list[Completion], started: float,
         error: str | None) -> None:
    prompt_tokens = sum(c.prompt_tokens for c in completions)
    completion_tokens = sum(c.completion_tokens for c in completions)
    provider, model = (completions[-1].provider, completions[-1].model) if completions else ("", "")
    entry = GenerationLog(user=user, type="brand", target=cut_to_units(name, 255), tokens=prompt_tokens + completion_tokens,
                          latency_ms=round((time.perf_counter() - started) * 1000),
                          status="failed" if error else "succeeded", error=error, provider=provider, model=model,
                          language=language, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                          cost_usd=cost_usd(provider, model, prompt_tokens, completion_tokens),
                          truncated=any(c.finish_reason == "length" for c in completions))
    with session_scope(engine) as session:
        session.add(entry)
    log_generation(entry)


def _plain(values: list[str]) -> list[str]:
    """Model list items as plain text, without the bullets small models like to add."""
    return [text for text in (plain_text(v).lstrip("-*•· ").strip() for v in values) if text]


def describe(figures: Figures) -> str:
    """The figures as lines the model (and a person) can read."""
    unit = figures.unit
    readability = f"{figures.readability_grade}" if figures.readability_grade is not None else "not measured"
    lines = [
        f"- Language: {LANGUAGES.get(figures.language, figures.language)}",
        f"- Sentences: {figures.sentences}, on average {figures.sentence_length_mean} {unit} "
        f"(spread {figures.sentence_length_sd})",
        f"- Readability grade (ARI): {readability}",
        f"- Type-token ratio: {figures.type_token_ratio}",
        f"- First person (I/we): {figures.first_person_rate} per 100 {unit}; "
        f"second person (you): {figures.second_person_rate} per 100 {unit}",
        f"- Questions: {figures.question_rate}% of sentences; exclamations: {figures.exclamation_rate}%",
        f"- Most used small words: {', '.join(list(figures.function_words)[:10]) or 'none'}",
        f"- Repeated phrases: {', '.join(figures.phrases) or 'none'}",
    ]
    return "\n".join(lines)


def excerpts(texts: list[str], budget: int = PASSAGE_BUDGET) -> str:
    """As many whole sentences from each sample as fit the budget, shared fairly between samples."""
    share = max(200, budget // max(1, min(len(texts), 6)))
    chosen, used = [], 0
    for text in texts[:6]:
        piece = _cut(text, min(share, budget - used))
        if piece:
            chosen.append(f'"""\n{piece}\n"""')
            used += len(piece)
        if used >= budget - 100:
            break
    return "\n".join(chosen)


def _cut(text: str, limit: int) -> str:
    """Leading whole sentences of text within limit characters (at least one sentence, trimmed)."""
    kept = []
    for sentence in split_sentences(text):
        if kept and sum(len(s) + 1 for s in kept) + len(sentence) > limit:
            break
        kept.append(sentence)
    return cut_to_units(" ".join(kept), max(limit, 0))


def choose_examples(texts: list[str], count: int = 2) -> list[str]:
    """Short passages from the samples that show the voice (whole sentences, up to 400 characters)."""
    return [piece for piece in (_cut(text, EXAMPLE_CHARS) for text in texts[:count]) if piece]


def vocabulary_level(figures: Figures) -> str:
    """simple, moderate or advanced, from the readability grade (or word variety where there is none)."""
    if figures.readability_grade is None:
        return "simple" if figures.type_token_ratio < 0.5 else "moderate" if figures.type_token_ratio < 0.7 \
            else "advanced"
    return "simple" if figures.readability_grade < 7 else "moderate" if figures.readability_grade < 12 else "advanced"


def sentence_length(figures: Figures) -> str:
    """short, medium or long, from the average sentence length."""
    short, long = (25, 45) if figures.unit == "characters" else (12, 20)
    mean = figures.sentence_length_mean
    return "short" if mean < short else "medium" if mean < long else "long"
