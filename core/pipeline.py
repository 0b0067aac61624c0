"""generate(): hooks, cache, rate limit, prompt, provider chain, parse, repair, quality gate, SEO, log."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import assemble, prompts, writing
from .answers import Tally, call_chain
from .brand.apply import record_score, resolve_brand, score_for
from .cache import cache_key, make_cache
from .config import Settings, get_settings
from .db import engine_for, session_scope
from .errors import ContentCraftError, InvalidOutputError, describe_validation_error
from .images import dropped_warning, policy_for
from .logs import log_generation
from .models import ContentItem, ContentVersion, GenerationLog, utcnow
from .plugins import pm
from .pricing import cost_usd
from .providers import get_provider
from .ratelimit import make_limiter
from .text import cut_to_units
from .schemas import BlogDraft, ContentRequest, ContentResponse, ProductDraft, ProductRequest
from .i18n import _

Request = ContentRequest | ProductRequest
log = logging.getLogger("contentcraft")


@dataclass
class Job:
    """Everything one generation needs to know about its kind."""

    kind: str
    draft_model: type[BaseModel]
    messages: Callable
    build: Callable
    log_type: str | None = None
    record: Callable | None = None

    @classmethod
    def of(cls, request: Request) -> "Job":
        if isinstance(request, ContentRequest):
            return cls("content", BlogDraft, prompts.blog_messages, assemble.build_content)
        return cls("product", ProductDraft, prompts.product_messages, assemble.build_product)


class Generator:
    """The generation pipeline bound to settings and a database; one per process is enough."""

    def __init__(self, settings: Settings | None = None, engine: Engine | None = None):
        self.settings = settings or get_settings()
        self.engine = engine or engine_for(self.settings.database_url)
        self.cache = make_cache(self.engine, self.settings.redis_url)
        self.limiter = make_limiter(self.settings.rate_limit, self.settings.redis_url)

    def chain(self, provider: str | None, model: str | None) -> list:
        """The primary provider then each fallback, skipping repeats."""
        primary = provider or self.settings.provider
        names = [primary] + [n for n in self.settings.fallback if n != primary]
        chosen_model = model or (self.settings.model if primary == self.settings.provider else None)
        return [get_provider(name, self.settings, chosen_model if name == primary else None) for name in names]

    def generate(self, request: Request, user: str, *, provider: str | None = None, model: str | None = None,
                 on_chunk: Callable[[str], None] | None = None, save: bool = True,
                 use_cache: bool = True, brand_version: int = 0, count_rate_limit: bool = True,
                 log_type: str | None = None, on_progress: writing.Progress | None = None,
                 cancel: threading.Event | None = None,
                 record: Callable[[Session, ContentResponse], None] | None = None) -> ContentResponse:
        """Generate one item; failures come back as a failed response with the reason, never raised.

        Bulk items pass count_rate_limit=False: they are paced by the provider's limit, and their job
        counted once against the user's. log_type overrides the log row's type (e.g. "bulk").
        on_progress(message, fraction 0–1) hears each step ("Writing section 3 of 5…"); setting `cancel`
        stops a sectioned post before its next section. A result the quality gate objects to comes back
        as "needs_review" with the reasons in `warnings`; use_cache=False writes a fresh version. `record`
        writes a saved result in the transaction that writes its log row (an exception it raises undoes both).
        """
        job, started = Job.of(request), time.perf_counter()
        job.log_type, job.record = log_type, record
        tally = Tally()
        try:
            pm.hook.before_generate(request=request, user=user, engine=self.engine)
            chain = self.chain(provider, model)
            tally.host = chain[0].host()  # where the request went, even if nothing answered
            brand = resolve_brand(self.engine, request)  # a named profile's version keys the cache
            key = cache_key(job.kind, request.model_dump(mode="json"), chain[0].name, chain[0].model,
                            brand.version if brand else brand_version)
            cached = self.cache.get(key) if use_cache else None
            if cached is not None:
                return self._finish(job, request, user, ContentResponse.model_validate_json(cached),
                                    started, save, cache_hit=True)
            if count_rate_limit:
                self.limiter.hit(user)
            extra = [text for text in pm.hook.prompt_instructions(request=request) if text]
            written = writing.write_checked(job, request, chain, tally, extra,
                                            lambda draft: self._regenerate_meta(chain, request, draft, tally),
                                            on_progress, cancel, on_chunk)
            data = written.data
            assemble.apply_seo_options(data, self.settings)
            dropped = assemble.apply_images(data, policy_for(self.engine, request.keep_external_images))
            pm.hook.generated_content(request=request, data=data)
            response = ContentResponse(status="succeeded" if written.verdict.ok else "needs_review", type=job.kind,
                                       **{_field(job): data}, brand_score=score_for(brand, request, data),
                                       provider=tally.provider, model=tally.model,
                                       prompt_tokens=tally.prompt_tokens, completion_tokens=tally.completion_tokens,
                                       warnings=written.verdict.messages + dropped_warning(dropped),
                                       attempts=written.attempts,
                                       detected_language=written.verdict.detected_language)
            if use_cache and response.status == "succeeded":
                self.cache.set(key, response.model_dump_json(), self.settings.cache_ttl)
            return self._finish(job, request, user, response, started, save, truncated=tally.truncated,
                                host=tally.host)
        except Exception as exc:  # every failure becomes a failed, logged result; never a traceback
            error = _as_error(exc)
            try:
                pm.hook.generation_failed(request=request, error=error, user=user)
            except Exception:
                log.exception("a generation_failed hook raised")
            response = ContentResponse(status="failed", type=job.kind, error=str(error), error_kind=error.kind,
                                       retryable=error.retryable,
                                       retry_after=getattr(error, "retry_after", None),
                                       provider=tally.provider or None, model=tally.model or None,
                                       prompt_tokens=tally.prompt_tokens, completion_tokens=tally.completion_tokens)
            return self._finish(job, request, user, response, started, save=False, truncated=tally.truncated,
                                host=tally.host)

    def _regenerate_meta(self, chain: list, request: Request, draft: BaseModel, tally: Tally) -> str:
        summary = getattr(draft, "excerpt", None) or getattr(draft, "short_description", "")
        messages = [{"role": "user", "content": prompts.render(
            "meta", title=draft.title, summary=summary,
            language_instruction=prompts.language_instruction(request.language))}]
        schema = {"type": "object", "properties": {"meta_desc": {"type": "string", "minLength": 140,
                                                                  "maxLength": 160}}, "required": ["meta_desc"]}
        completion = call_chain(chain, messages, schema, tally)
        return str((completion.data or {}).get("meta_desc", ""))

    def _finish(self, job: Job, request: Request, user: str, response: ContentResponse, started: float,
                save: bool, cache_hit: bool = False, truncated: bool = False,
                host: str = "") -> ContentResponse:
        response.latency_ms = round((time.perf_counter() - started) * 1000)
        response.cache_hit, response.created_at = cache_hit, utcnow()
        spent = (0, 0) if cache_hit else (response.prompt_tokens, response.completion_tokens)
        entry = GenerationLog(
            user=user, type=job.log_type or job.kind, target=_target(request), tokens=sum(spent),
            latency_ms=response.latency_ms,
            status=response.status, error=response.error or ("; ".join(response.warnings) or None),
            detected_language=response.detected_language or "", provider=response.provider or "",
            model=response.model or "", language=request.language, tone=request.tone,
            prompt_tokens=spent[0], completion_tokens=spent[1],
            cost_usd=cost_usd(response.provider or "", response.model or "", *spent), cache_hit=cache_hit,
            truncated=truncated, host=host[:255])
        with session_scope(self.engine) as session:  # item, first version and log row in one transaction
            if save and response.status in SAVED_STATUSES:
                response.item_id = self._save_item(session, job, request, user, response)
                record_score(session, request.language, response)  # unsaved results: the caller records it
            if job.record is not None and response.status in SAVED_STATUSES:
                job.record(session, response)
            session.add(entry)
        log_generation(entry)
        if response.status in SAVED_STATUSES:
            try:
                pm.hook.content_generated(request=request, response=response, user=user)
            except Exception:  # the result is saved and logged; a failing observer must not hide it
                log.exception("a content_generated hook raised")
        return response

    @staticmethod
    def _save_item(session, job: Job, request: Request, user: str, response: ContentResponse) -> int:
        data = getattr(response, _field(job)).model_dump(mode="json")
        item = ContentItem(type=job.kind, title=data["title"], language=request.language, author=user,
                           request_json=request.model_dump(mode="json"), data_json=data,
                           provider=response.provider or "", model=response.model or "", warnings=response.warnings)
        session.add(item)
        session.flush()
        session.add(ContentVersion(item_id=item.id, version=1, data_json=data, note="generated", created_by=user))
        return item.id


SAVED_STATUSES = ("succeeded", "needs_review")


def _as_error(exc: Exception) -> ContentCraftError:
    """The one-line, user-safe error for any exception; unexpected ones are logged with their traceback."""
    if isinstance(exc, ContentCraftError):
        return exc
    if isinstance(exc, ValidationError):
        return InvalidOutputError(_("The result is not valid ({problems}). Try again.")
                                  .format(problems=describe_validation_error(exc, 3)))
    log.exception("generation failed unexpectedly")
    return ContentCraftError(_("Generation failed unexpectedly ({error_type}); it was logged. Try again, and tell "
                               "your admin if it keeps failing.").format(error_type=type(exc).__name__))


def _field(job: Job) -> str:
    return "content" if job.kind == "content" else "product"


def _target(request: Request) -> str:
    return cut_to_units(request.topic if isinstance(request, ContentRequest) else request.name, 255)
