"""generate(): hooks, cache, rate limit, prompt, provider chain, parse, repair, SEO, log."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import assemble, prompts
from .answers import Tally, ask, call_chain
from .brand.apply import record_score, resolve_brand, score_for
from .cache import cache_key, make_cache
from .config import Settings, get_settings
from .db import engine_for, session_scope
from .errors import ContentCraftError, InvalidOutputError
from .logs import log_generation
from .models import ContentItem, ContentVersion, GenerationLog, utcnow
from .plugins import pm
from .pricing import cost_usd
from .providers import get_provider
from .ratelimit import make_limiter
from .text import cut_to_units
from .schemas import BlogDraft, ContentRequest, ContentResponse, ProductDraft, ProductRequest

Request = ContentRequest | ProductRequest


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
                 log_type: str | None = None,
                 record: Callable[[Session, ContentResponse], None] | None = None) -> ContentResponse:
        """Generate one item; failures come back as a failed response with the reason, never raised.

        Bulk items pass count_rate_limit=False: they are paced by the provider's limit, and their job
        counted once against the user's. log_type overrides the log row's type (e.g. "bulk"). `record`
        writes a success in the transaction that writes its log row (an exception it raises undoes both).
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
            data = self._produce(job, request, chain, tally, on_chunk)
            assemble.apply_seo_options(data, self.settings)
            pm.hook.generated_content(request=request, data=data)
            response = ContentResponse(status="succeeded", type=job.kind, **{_field(job): data},
                                       brand_score=score_for(brand, request, data),
                                       provider=tally.provider, model=tally.model,
                                       prompt_tokens=tally.prompt_tokens, completion_tokens=tally.completion_tokens)
            if use_cache:
                self.cache.set(key, response.model_dump_json(), self.settings.cache_ttl)
            return self._finish(job, request, user, response, started, save, truncated=tally.truncated,
                                host=tally.host)
        except ContentCraftError as error:
            pm.hook.generation_failed(request=request, error=error, user=user)
            response = ContentResponse(status="failed", type=job.kind, error=str(error), error_kind=error.kind,
                                       retryable=error.retryable, retry_after=getattr(error, "retry_after", None),
                                       provider=tally.provider or None, model=tally.model or None,
                                       prompt_tokens=tally.prompt_tokens, completion_tokens=tally.completion_tokens)
            return self._finish(job, request, user, response, started, save=False, truncated=tally.truncated,
                                host=tally.host)

    def _produce(self, job: Job, request: Request, chain: list, tally: Tally, on_chunk) -> BaseModel:
        extra = [text for text in pm.hook.prompt_instructions(request=request) if text]
        draft = ask(chain, job.messages(request, extra), job.draft_model, tally, on_chunk)
        try:
            return job.build(draft, request)
        except InvalidOutputError:
            draft.meta_desc = self._regenerate_meta(chain, request, draft, tally)
            return job.build(draft, request)

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
            status=response.status, error=response.error, provider=response.provider or "",
            model=response.model or "", language=request.language, tone=request.tone,
            prompt_tokens=spent[0], completion_tokens=spent[1],
            cost_usd=cost_usd(response.provider or "", response.model or "", *spent), cache_hit=cache_hit,
            truncated=truncated, host=host[:255])
        with session_scope(self.engine) as session:  # item, first version and log row in one transaction
            if save and response.status == "succeeded":
                response.item_id = self._save_item(session, job, request, user, response)
                record_score(session, request.language, response)  # unsaved results: the caller records it
            if job.record is not None and response.status == "succeeded":
                job.record(session, response)
            session.add(entry)
        log_generation(entry)
        if response.status == "succeeded":
            pm.hook.content_generated(request=request, response=response, user=user)
        return response

    @staticmethod
    def _save_item(session, job: Job, request: Request, user: str, response: ContentResponse) -> int:
        data = getattr(response, _field(job)).model_dump(mode="json")
        item = ContentItem(type=job.kind, title=data["title"], language=request.language, author=user,
                           request_json=request.model_dump(mode="json"), data_json=data,
                           provider=response.provider or "", model=response.model or "")
        session.add(item)
        session.flush()
        session.add(ContentVersion(item_id=item.id, version=1, data_json=data, note="generated", created_by=user))
        return item.id


def _field(job: Job) -> str:
    return "content" if job.kind == "content" else "product"


def _target(request: Request) -> str:
    return cut_to_units(request.topic if isinstance(request, ContentRequest) else request.name, 255)
