"""RFC 9457 problem details: one stable `type` per kind of failure, a `detail` that says how to fix it."""

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from core import errors
from core.access.idempotency import IdempotencyConflictError, IdempotencyKeyReusedError
from core.analytics.budgets import BudgetExceededError
from core.i18n import _

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/problems/"
log = logging.getLogger("contentcraft.api")


class UnsupportedMediaTypeError(errors.ContentCraftError):
    """The request body's Content-Type is not one the endpoint reads."""

    kind = "unsupported_media_type"


# slug: (HTTP status, title, the error classes it covers); the first matching class in MRO order wins. The one
# mapping from errors to problems: a pipeline result's error_kind finds its slug through its class's `kind`.
PROBLEMS: dict[str, tuple[int, str, tuple[type, ...]]] = {
    "unauthorized": (401, "Missing or invalid API token", (errors.AuthenticationError,)),
    "forbidden": (403, "Your role does not allow this", (errors.PermissionDeniedError,)),
    "budget-exceeded": (403, "Monthly budget spent", (BudgetExceededError,)),
    "not-found": (404, "Not found", (errors.NotFoundError,)),
    "method-not-allowed": (405, "Method not allowed", ()),
    "conflict": (409, "Conflicts with the current state", (errors.InvalidTransitionError,)),
    "request-in-progress": (409, "The same request is still running", (IdempotencyConflictError,)),
    "payload-too-large": (413, "Request body too large", ()),
    "unsupported-media-type": (415, "Unsupported Content-Type", (UnsupportedMediaTypeError,)),
    "validation-failed": (422, "The request is not valid", (errors.ValidationFailedError,)),
    "idempotency-key-reused": (422, "Idempotency-Key used for another request", (IdempotencyKeyReusedError,)),
    "rate-limited": (429, "Too many requests", (errors.RateLimitedError,)),
    "invalid-output": (502, "The model's answer was unusable", (errors.InvalidOutputError,
                                                                errors.TruncatedOutputError)),
    "provider-quota": (502, "The provider account has no quota left", (errors.QuotaExceededError,)),
    "publish-failed": (502, "WordPress refused or did not answer", (errors.PublishFailedError,)),
    "provider-unavailable": (503, "The provider could not be reached", (errors.ProviderUnavailableError,
                                                                          errors.ProviderUnreachableError)),
    "provider-timeout": (503, "The provider did not answer in time", (errors.ProviderTimeoutError,)),
    "provider-not-configured": (503, "The provider is not configured", (errors.NeedsKeyError,)),
    "service-unavailable": (503, "The service is unavailable", ()),
    "request-failed": (400, "The request could not be carried out", (errors.ContentCraftError,)),
    "internal-error": (500, "Internal error", ()),
}
_BY_CLASS = {cls: slug for slug, (_status, _title, classes) in PROBLEMS.items() for cls in classes}
_BY_KIND = {cls.kind: slug for cls, slug in _BY_CLASS.items()}
_BY_STATUS = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large", 415: "unsupported-media-type",
              401: "unauthorized", 403: "forbidden", 409: "conflict", 422: "validation-failed",
              429: "rate-limited", 503: "service-unavailable"}


class Problem(BaseModel):
    """An RFC 9457 problem; extension members (errors, retry_after, the generation envelope) may follow."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {
        "type": "/api/problems/rate-limited", "title": "Too many requests", "status": 429,
        "detail": "This API token is limited to 60 requests per minute. Wait 12 s and try again.",
        "instance": "/api/content/generate", "retry_after": 12}})

    type: str = Field(description="A stable URI reference naming the kind of problem; GET it for a description.")
    title: str
    status: int
    detail: str = Field(description="What went wrong and how to fix it.")
    instance: str | None = None


def slug_for(error: BaseException) -> str:
    """The problem slug for a core error (by class, most specific first)."""
    return next((_BY_CLASS[cls] for cls in type(error).__mro__ if cls in _BY_CLASS), "internal-error")


def slug_for_kind(kind: str | None) -> str:
    """The problem slug for a pipeline result's error_kind (a core.errors `kind`)."""
    return _BY_KIND.get(kind or "", "request-failed")


def problem(slug: str, detail: str, request: Request, headers: dict | None = None, **extensions) -> JSONResponse:
    """A problem+json response (noted for the audit log); Retry-After is sent when retry_after is given."""
    status, title, _classes = PROBLEMS[slug]
    request.state.problem = slug
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extensions}
    headers = dict(headers or {})
    if extensions.get("retry_after") is not None:
        headers["Retry-After"] = str(max(1, round(extensions["retry_after"])))
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="contentcraft"'
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def responses(*slugs: str) -> dict:
    """OpenAPI `responses` entries for the problems an endpoint can answer with (422 always: bad parameters)."""
    found: dict[int, dict] = {}
    for slug in dict.fromkeys((*slugs, "validation-failed")):
        status, title, _classes = PROBLEMS[slug]
        entry = found.setdefault(status, {"description": "",
                                          "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
        entry["description"] = "; ".join(filter(None, [entry["description"], title]))
    return found


async def core_error(request: Request, exc: errors.ContentCraftError) -> JSONResponse:
    return problem(slug_for(exc), str(exc), request, retry_after=getattr(exc, "retry_after", None))


def _json_media(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.startswith("application/") and media.endswith("+json")


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI reads a JSON body only when it is labelled JSON; anything else reaches validation as bytes.
    if not _json_media(request) and any(tuple(e["loc"][:1]) == ("body",) for e in exc.errors()):
        sent = request.headers.get("content-type") or _("no Content-Type")
        return problem("unsupported-media-type", _("This endpoint reads JSON: send the body with "
                                                   "Content-Type: application/json (this request sent {sent}).")
                       .format(sent=sent), request)
    found = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    detail = errors.describe_validation_error(exc, limit=5)
    return problem("validation-failed", f"Fix these fields and send the request again: {detail}.",
                   request, errors=found)


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    slug = _BY_STATUS.get(exc.status_code, "request-failed")
    detail = {404: f"Nothing is at {request.url.path}: see /api/docs for the endpoints.",
              405: f"{request.method} is not allowed on {request.url.path}: see /api/docs."}.get(exc.status_code,
                                                                                             str(exc.detail))
    return problem(slug, detail, request, headers=getattr(exc, "headers", None))


async def database_error(request: Request, exc: OperationalError) -> JSONResponse:
    log.error("database unavailable: %s", type(exc).__name__)
    return problem("service-unavailable", "The database is not answering. Try again shortly; if it persists, "
                   "ask your admin to check the database server.", request, retry_after=5)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected API error", extra={"event": "api_error"})
    return problem("internal-error", "Something went wrong on the server; nothing about it is shown here. "
                   "Try again; if it keeps failing, ask your admin to check the server log.", request)


HANDLERS = {errors.ContentCraftError: core_error, RequestValidationError: validation_error,
            HTTPException: http_error, OperationalError: database_error, Exception: unexpected_error}
