"""Regenerate one section of a post or product: a schema-constrained call, SEO clean-up, a log row."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from . import prompts, seo
from .db import session_scope
from .assemble import KEEP_IMAGES
from .errors import ContentCraftError, InvalidOutputError, ValidationFailedError
from .images import ImagePolicy, dropped_warning, policy_for
from .logs import log_generation
from .models import GenerationLog
from .answers import Tally, ask
from .pipeline import Generator, Request
from .plugins import pm
from .pricing import cost_usd
from .schemas import LENGTH_WORDS, ContentRequest
from .text import cut, cut_to_units
from .i18n import _

CONTEXT_CHARS, CURRENT_CHARS = 1500, 6000


class TitleAnswer(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class ExcerptAnswer(BaseModel):
    excerpt: str = Field(min_length=1, max_length=600)


class MetaAnswer(BaseModel):
    seo_title: str = Field(min_length=1, max_length=120)
    meta_desc: str = Field(min_length=1, max_length=400)


class BodyAnswer(BaseModel):
    body_html: str = Field(min_length=1)


class ShortDescriptionAnswer(BaseModel):
    short_description: str = Field(min_length=1, max_length=800)


class DescriptionAnswer(BaseModel):
    description_html: str = Field(min_length=1)


class BulletsAnswer(BaseModel):
    bullet_features: list[str] = Field(min_length=1, max_length=15)


class AltTextAnswer(BaseModel):
    image_alt_text: str = Field(min_length=1, max_length=250)


@dataclass(frozen=True)
class Section:
    """One regenerable part: what to ask for, the answer's schema, and how to turn it into field updates."""

    kind: str
    name: str
    label: str
    answer: type[BaseModel]
    instruction: str
    finish: Callable[[BaseModel, dict], dict]


@dataclass
class SectionResult:
    """The new values, in the shape of ContentData/ProductData (e.g. {"meta": {...}}), and what it cost."""

    section: str
    updates: dict
    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    warnings: list[str] = field(default_factory=list)  # e.g. external images removed from a new body


def _text(value: str, what: str) -> str:
    text = seo.plain_text(value)
    if not text:
        raise InvalidOutputError(_("The model's new {what} is empty. Try again or write it yourself.")
                                 .format(what=what))
    return text


def _body(value: str, what: str) -> str:
    body = seo.sanitize_html(value, KEEP_IMAGES)  # the request's image choice applies in regenerate()
    if not seo.plain_text(body):
        raise InvalidOutputError(_("The new {what} is empty after removing unsafe HTML. Try again.")
                                 .format(what=what))
    return body


def _meta(answer: MetaAnswer, data: dict, summary: str, body_key: str) -> dict:
    body_text = seo.plain_text(str(data.get(body_key, "")))
    description = seo.meta_description(answer.meta_desc, str(data.get(summary, "")), body_text)
    if description is None:
        raise InvalidOutputError(_("The new meta description could not be brought to 140–160 characters. Try again "
                                   "or write it yourself."))
    title = seo.seo_title(answer.seo_title) or seo.seo_title(str(data.get("title", "")))
    return {"meta": {**data.get("meta", {}), "seo_title": title, "meta_desc": description}}


def _body_update(answer: BodyAnswer, data: dict) -> dict:
    body = _body(answer.body_html, "article body")
    return {"body_html": body, "headings": seo.extract_headings(body)}


def _bullets(answer: BulletsAnswer, data: dict) -> dict:
    bullets = [seo.plain_text(b) for b in answer.bullet_features if seo.plain_text(b)]
    if not bullets:
        raise InvalidOutputError(_("The model's new feature bullets are empty. Try again or write them yourself."))
    return {"bullet_features": bullets}


def _alt_text(answer: AltTextAnswer, data: dict) -> dict:
    text = _text(answer.image_alt_text, "alt text")
    return {"image_alt_text": seo.fit_length(text, 1, 125) or cut(text, 125)}


SECTIONS: dict[tuple[str, str], Section] = {(s.kind, s.name): s for s in (
    Section("content", "title", "title", TitleAnswer,
            "Write a compelling headline under 70 characters that contains the main keyword.",
            lambda a, d: {"title": cut_to_units(_text(a.title, "title"), 200)}),
    Section("content", "excerpt", "excerpt", ExcerptAnswer,
            "Write one or two sentences that summarise the post and make people want to read it.",
            lambda a, d: {"excerpt": cut_to_units(_text(a.excerpt, "excerpt"), 600)}),
    Section("content", "meta", "SEO title and meta description", MetaAnswer,
            "Write a search result title of at most 60 characters and a meta description of 140 to 160 "
            "characters that invites the click; use the main keyword in both.",
            lambda a, d: _meta(a, d, "excerpt", "body_html")),
    Section("content", "body", "article body", BodyAnswer,
            "Write the whole article body again as HTML using <h2>, <h3>, <p>, <ul>, <li>, <strong>; no <h1>, "
            "no scripts, no styles. About {words} words. Use the main keyword in the first paragraph and in at "
            "least one heading. {sections}",
            _body_update),
    Section("product", "title", "product title", TitleAnswer,
            "Write a clear product title that names the product and its key benefit.",
            lambda a, d: {"title": cut_to_units(_text(a.title, "title"), 200)}),
    Section("product", "short_description", "short description", ShortDescriptionAnswer,
            "Write two or three sentences for the top of the product page.",
            lambda a, d: {"short_description": cut_to_units(_text(a.short_description, "short description"), 800)}),
    Section("product", "description", "long description", DescriptionAnswer,
            "Write the long description again as HTML using <p>, <h3>, <ul>, <li>, <strong>; no scripts, no styles.",
            lambda a, d: {"description_html": _body(a.description_html, "long description")}),
    Section("product", "bullets", "feature bullets", BulletsAnswer,
            "Write three to seven short, benefit-led feature bullets.", _bullets),
    Section("product", "meta", "SEO title and meta description", MetaAnswer,
            "Write a search result title of at most 60 characters and a meta description of 140 to 160 "
            "characters that invites the click.",
            lambda a, d: _meta(a, d, "short_description", "description_html")),
    Section("product", "alt_text", "image alt text", AltTextAnswer,
            "Write alt text for the main product image: what it shows, under 125 characters.", _alt_text),
)}


def kind_of(request: Request) -> str:
    """"content" for a blog post request, "product" for a product request."""
    return "content" if isinstance(request, ContentRequest) else "product"


def get_section(kind: str, name: str) -> Section:
    """The section spec, or ValidationFailedError naming the ones that exist."""
    try:
        return SECTIONS[(kind, name)]
    except KeyError:
        names = ", ".join(n for k, n in SECTIONS if k == kind)
        raise ValidationFailedError(_("There is no {name!r} section to regenerate; choose one of {names}.")
                                    .format(name=name, names=names)) from None


def _context(kind: str, data: dict) -> str:
    if kind == "content":
        lines = [f"Title: {data.get('title', '')}", f"Excerpt: {data.get('excerpt', '')}",
                 "Outline: " + "; ".join(data.get("outline") or []),
                 f"Article (start): {cut_to_units(seo.plain_text(str(data.get('body_html', ''))), CONTEXT_CHARS)}"]
    else:
        lines = [f"Product title: {data.get('title', '')}", f"Short description: {data.get('short_description', '')}",
                 "Feature bullets: " + "; ".join(data.get("bullet_features") or []),
                 f"Long description (start): {cut_to_units(seo.plain_text(str(data.get('description_html', ''))), CONTEXT_CHARS)}"]
    return "\n".join(lines)


def _current(spec: Section, data: dict) -> str:
    if spec.answer is MetaAnswer:
        meta = data.get("meta") or {}
        return f"SEO title: {meta.get('seo_title', '')}\nMeta description: {meta.get('meta_desc', '')}"
    [field] = spec.answer.model_fields
    value = data.get(field, "")
    return cut_to_units("\n".join(value) if isinstance(value, list) else str(value), CURRENT_CHARS) or "(empty)"


def section_messages(spec: Section, request: Request, data: dict, extra: list[str]) -> list[dict[str, str]]:
    """The chat messages asking for one new section."""
    if isinstance(request, ContentRequest):
        keywords = ", ".join(request.keywords) or "(choose the obvious ones)"
        instruction = spec.instruction.format(
            words=LENGTH_WORDS[request.length],
            sections=("Use these sections, in order: " + "; ".join(request.sections)) if request.sections else "")
        system, kind_label = "blog_system", "blog post"
    else:
        keywords, instruction = request.name, spec.instruction
        system, kind_label = "product_system", "product description"
    user = prompts.render("section", kind_label=kind_label, section_label=spec.label, instruction=instruction,
                          language_instruction=prompts.language_instruction(request.language), tone=request.tone,
                          keywords=keywords, extra_instructions="\n".join(extra), context=_context(spec.kind, data),
                          current=_current(spec, data), fields=", ".join(f'"{f}"' for f in spec.answer.model_fields))
    return [{"role": "system", "content": prompts.render(system)}, {"role": "user", "content": user}]


def regenerate(generator: Generator, request: Request, data: dict, section: str, user: str, *,
               provider: str | None = None, model: str | None = None,
               on_chunk: Callable[[str], None] | None = None) -> SectionResult:
    """A new value for one section of data (the item as currently edited); raises ContentCraftError on failure."""
    spec, started, tally = get_section(kind_of(request), section), time.perf_counter(), Tally()
    try:
        pm.hook.before_generate(request=request, user=user, engine=generator.engine)
        chain = generator.chain(provider, model)
        generator.limiter.hit(user)
        extra = [text for text in pm.hook.prompt_instructions(request=request) if text]
        answer = ask(chain, section_messages(spec, request, data, extra), spec.answer, tally, on_chunk)
        updates = spec.finish(answer, data)
        warnings = _apply_images(updates, policy_for(generator.engine, request.keep_external_images))
    except ContentCraftError as error:
        pm.hook.generation_failed(request=request, error=error, user=user)
        _log(generator, spec, request, user, tally, started, error=str(error))
        raise
    latency = _log(generator, spec, request, user, tally, started)
    return SectionResult(section=section, updates=updates, provider=tally.provider, model=tally.model,
                         prompt_tokens=tally.prompt_tokens, completion_tokens=tally.completion_tokens,
                         latency_ms=latency, warnings=warnings)


def _apply_images(updates: dict, images: ImagePolicy) -> list[str]:
    dropped = []
    for name in ("body_html", "description_html"):
        if name in updates:
            updates[name], lost = seo.clean_body(updates[name], images)
            dropped += lost
    return dropped_warning(dropped)


def _log(generator: Generator, spec: Section, request: Request, user: str, tally: Tally, started: float,
         error: str | None = None) -> int:
    """Write the generation log row for a section call, like every other generation; returns latency."""
    latency = round((time.perf_counter() - started) * 1000)
    target = request.topic if isinstance(request, ContentRequest) else request.name
    entry = GenerationLog(
        user=user, type="seo" if spec.name == "meta" else spec.kind,
        target=cut_to_units(f"{spec.label}: {target}", 255), truncated=tally.truncated,
        tokens=tally.prompt_tokens + tally.completion_tokens, latency_ms=latency,
        status="failed" if error else "succeeded", error=error, provider=tally.provider, model=tally.model,
        language=request.language, tone=request.tone, prompt_tokens=tally.prompt_tokens,
        completion_tokens=tally.completion_tokens,
        cost_usd=cost_usd(tally.provider, tally.model, tally.prompt_tokens, tally.completion_tokens))
    with session_scope(generator.engine) as session:
        session.add(entry)
    log_generation(entry)
    return latency
