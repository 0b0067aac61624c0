"""POST /api/content/generate and /api/product/generate: one item, as JSON or as Server-Sent Events."""

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from core.access import idempotency
from core.auth import require
from core.errors import ValidationFailedError
from core.providers import provider_classes
from core.schemas import ContentRequest, GenerationResult, ProductRequest
from core.streaming import ChunkStream

from ..deps import Caller, IdempotencyKey, Svc, idempotent
from ..examples import CONTENT_REQUEST, GENERATION_RESULT, PRODUCT_REQUEST
from ..problems import problem, responses, slug_for_kind

router = APIRouter(tags=["generate"])
PROBLEMS = responses("request-failed", "unauthorized", "forbidden", "not-found", "budget-exceeded", "conflict", "request-in-progress",
                     "validation-failed", "idempotency-key-reused", "rate-limited", "invalid-output",
                     "provider-quota", "provider-unavailable", "provider-timeout", "provider-not-configured")
SSE_DOC = ("With `?stream=true` the answer is `text/event-stream`: `chunk` events carry `{\"text\": ...}` as "
           "the model writes, then one `result` event carries the same object as the JSON answer (or a "
           "problem with `success: false`).")


def _provider_names(schema: dict) -> None:
    """List the providers registered when the schema is built (plugins add their own)."""
    for branch in schema.get("anyOf", []):
        if branch.get("type") == "string":
            branch["enum"] = sorted(provider_classes())


class Generation(BaseModel):
    """Which provider and model to use; both default to the configured ones."""

    provider: str | None = Field(None, max_length=40, json_schema_extra=_provider_names)
    model: str | None = Field(None, max_length=120)
    use_cache: bool = True


class ContentGenerate(ContentRequest, Generation):
    """A blog post request plus generation options."""


class ProductGenerate(ProductRequest, Generation):
    """A product description request plus generation options."""


def answer(result: GenerationResult, request: Request) -> Response:
    """The envelope as JSON (200), or as a problem whose extension members are the envelope."""
    if result.success:
        return JSONResponse(result.model_dump(mode="json"))
    body = result.model_dump(mode="json", exclude={"status"})
    return problem(slug_for_kind(result.error_kind), result.error or "Generation failed.", request, **body)


def _generate(svc, request: Request, user, payload: Generation, key: str | None, stream: bool) -> Response:
    require(user, "generate")
    if payload.provider and payload.provider not in provider_classes():
        raise ValidationFailedError(f"Unknown provider {payload.provider!r}: choose one of "
                                    f"{', '.join(sorted(provider_classes()))}, or leave it out.")
    kind = ContentRequest if isinstance(payload, ContentRequest) else ProductRequest
    wanted = kind.model_validate(payload.model_dump(include=set(kind.model_fields)))

    def run(on_chunk=None) -> GenerationResult:
        return GenerationResult.of(svc.generator.generate(
            wanted, user.email, provider=payload.provider, model=payload.model, use_cache=payload.use_cache,
            on_chunk=on_chunk))

    if stream:
        return _stream(svc, request, user, payload, key, run)
    return idempotent(svc, request, user, key, payload.model_dump_json(), lambda: answer(run(), request))


def _stream(svc, request: Request, user, payload, key, run) -> Response:
    replay = None
    if key:
        path = request.url.path + "?" + request.url.query
        replay = idempotency.begin(svc.engine, user.id, key,
                                   idempotency.fingerprint("POST", path, payload.model_dump_json().encode()))

    def events() -> Iterator[str]:
        if replay is not None:
            yield _event("result", replay.body)
            return
        try:
            chunks = ChunkStream(run)
            for text in chunks:
                yield _event("chunk", json.dumps({"text": text}, ensure_ascii=False))
            final = answer(chunks.result, request)
        except BaseException:
            if key:
                idempotency.release(svc.engine, user.id, key)
            raise
        if key:
            idempotency.finish(svc.engine, user.id, key, final.status_code, bytes(final.body).decode())
        yield _event("result", bytes(final.body).decode())

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


SSE_EVENT = {"type": "object", "required": ["event", "data"], "description": "One Server-Sent Event.",
             "properties": {"event": {"type": "string", "enum": ["chunk", "result"]},
                            "data": {"type": "string", "contentMediaType": "application/json",
                                     "description": 'chunk: {"text": "..."}; result: the JSON answer.'}}}
OPENAPI_200 = {200: {"description": "The generated item, saved to the Library. " + SSE_DOC,
                     "content": {"application/json": {"example": GENERATION_RESULT},
                                 "text/event-stream": {"schema": SSE_EVENT, "example":
                                                       'event: chunk\ndata: {"text": "{\\"title\\": \\"How"}\n\n'
                                                       'event: result\ndata: {"success": true, ...}\n\n'}}}}


@router.post("/content/generate", response_model=GenerationResult, responses={**OPENAPI_200, **PROBLEMS},
             summary="Generate an SEO blog post")
def generate_content(request: Request, svc: Svc, user: Caller,
                     payload: Annotated[ContentGenerate, Body(openapi_examples=CONTENT_REQUEST)],
                     stream: Annotated[bool, Query(description=SSE_DOC)] = False, key: IdempotencyKey = None):
    """Write a blog post from a topic, keywords, tone, length and language; it is saved as a Library draft."""
    return _generate(svc, request, user, payload, key, stream)


@router.post("/product/generate", response_model=GenerationResult, responses={**OPENAPI_200, **PROBLEMS},
             summary="Generate a WooCommerce product description")
def generate_product(request: Request, svc: Svc, user: Caller,
                     payload: Annotated[ProductGenerate, Body(openapi_examples=PRODUCT_REQUEST)],
                     stream: Annotated[bool, Query(description=SSE_DOC)] = False, key: IdempotencyKey = None):
    """Write a product description from a name, features and attributes; it is saved as a Library draft."""
    return _generate(svc, request, user, payload, key, stream)
