"""The provider protocol: one method to implement, capabilities as attributes."""

import copy
import json
import re
import time
from urllib.parse import urlsplit
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import httpx2

from ..config import Settings
from ..errors import (ContentCraftError, InvalidOutputError, NeedsKeyError, ProviderTimeoutError,
                      ProviderUnavailableError, RateLimitedError)
from . import headroom
from .headroom import retry_after_seconds
from ..i18n import _
from ..text import cut, spaced_controls

Messages = list[dict[str, str]]


@dataclass
class Usage:
    """Filled in by a provider while it executes."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None  # "stop", "length" (hit max tokens), or None when the provider does not say


@dataclass
class Completion:
    """One finished model call."""

    provider: str
    model: str
    text: str
    data: dict | None = None
    parse_error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    finish_reason: str | None = None
    host: str = ""
    fallback_from: list[str] = field(default_factory=list)


class Provider:
    """Turns chat messages (and an optional JSON schema) into text; subclasses implement execute()."""

    name: ClassVar[str]
    label: ClassVar[str] = ""  # how messages name the vendor ("OpenAI"); the name when empty
    default_model: ClassVar[str]
    needs_key: ClassVar[bool] = False
    key_env_var: ClassVar[str | None] = None
    can_stream: ClassVar[bool] = True
    writes_long_posts: ClassVar[bool] = True  # False: long posts are written section by section from the start
    supports_schema: ClassVar[bool] = True
    max_concurrency: ClassVar[int | None] = None
    has_deadline: ClassVar[bool] = True  # settings.timeout bounds the whole call (in-process models: no)
    unusable_until: float = 0.0  # monotonic time until which the fallback chain skips it (account errors)

    def __init__(self, settings: Settings, model: str | None = None):
        self.settings = settings
        self.model = model or self.default_model

    def execute(self, messages: Messages, schema: dict | None, stream: bool, usage: Usage) -> Iterator[str]:
        """Yield the answer's text in chunks and record token counts on usage."""
        raise NotImplementedError

    def with_budget(self, max_tokens: int) -> "Provider":
        """This provider allowed up to max_tokens of answer; its SDK client and loaded model are shared."""
        clone = copy.copy(self)
        clone.settings = self.settings.model_copy(update={"max_tokens": max_tokens})
        return clone

    def host(self) -> str:
        """The host:port the provider sends requests to ("" when it runs in process or is unset)."""
        return ""

    def api_key(self) -> str | None:
        """The configured key, or NeedsKeyError with how to set it."""
        secret = getattr(self.settings, self.key_env_var.lower(), None) if self.key_env_var else None
        key = secret.get_secret_value() if secret else None
        if self.needs_key and not key:
            raise NeedsKeyError(
                _("The {name} provider needs an API key: set {key_env_var} in the environment or in "
                  ".streamlit/secrets.toml, or choose another provider (the 'local' one needs none).")
                .format(name=self.name, key_env_var=self.key_env_var)
            )
        return key

    def complete(self, messages: Messages, schema: dict | None = None,
                 on_chunk: Callable[[str], None] | None = None) -> Completion:
        """Run execute() to the end and return the text, parsed JSON, tokens and latency."""
        start, paced = time.perf_counter(), headroom.waited()
        usage = Usage(model=self.model)
        stream = on_chunk is not None and self.can_stream
        chunks, size, too_long = [], 0, False
        replies = self.execute(messages, schema, stream, usage)
        for chunk in replies:
            chunks.append(chunk)
            size += len(chunk)
            if on_chunk:
                on_chunk(chunk)
            if self.has_deadline and time.perf_counter() - start - (headroom.waited() - paced) > self.settings.timeout:
                getattr(replies, "close", lambda: None)()
                # SDK timeouts apply per read: a server trickling tokens would otherwise never time out.
                raise ProviderTimeoutError(_("{label} did not finish within {timeout:g} s (CONTENTCRAFT_TIMEOUT); "
                                             "try again, raise the timeout, or ask for less text.")
                                           .format(label=self.label or self.name, timeout=self.settings.timeout))
            if size > MAX_REPLY_CHARS:  # stop reading: a runaway reply must not fill memory and the log
                too_long = True
                getattr(replies, "close", lambda: None)()
                break
        text = "".join(chunks)[:MAX_REPLY_CHARS]
        data, parse_error = None, None
        if too_long:
            parse_error = _("The model's reply is over {limit:,} characters; it was cut off. Ask for a shorter text "
                            "or lower the model's max tokens.").format(limit=MAX_REPLY_CHARS)
        elif schema is not None:
            try:
                data = parse_json_object(text)
            except InvalidOutputError as exc:
                parse_error = str(exc)
        return Completion(
            provider=self.name, model=usage.model, text=text, data=data, parse_error=parse_error,
            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
            finish_reason=usage.finish_reason, host=self.host(), latency_ms=round((time.perf_counter() - start) * 1000),
        )


def url_host(url: str | None) -> str:
    """The host[:port] part of a URL, as recorded on log rows."""
    return urlsplit(url if url and "//" in url else f"//{url or ''}").netloc


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
MAX_REPLY_CHARS = 1_000_000
MAX_JSON_DEPTH = 32


def json_depth(text: str) -> int:
    """The deepest nesting of [] and {} in JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json_object(text: str) -> dict:
    """The JSON object in a model's answer, tolerating code fences and chatter around it."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start == -1 or end <= start:
        raise InvalidOutputError(_("The model did not answer with a JSON object."))
    if end - start >= MAX_REPLY_CHARS:
        raise InvalidOutputError(_("The model's JSON is over {max_reply_chars:,} characters; ask for a shorter text.")
                                 .format(max_reply_chars=MAX_REPLY_CHARS))
    if json_depth(cleaned[start:end + 1]) > MAX_JSON_DEPTH:
        raise InvalidOutputError(_("The model's JSON is nested more than {max_json_depth} levels deep; it is not "
                                   "the requested shape. Try again or use another model.")
                                 .format(max_json_depth=MAX_JSON_DEPTH))
    try:
        value = json.loads(cleaned[start:end + 1], strict=False)
    except RecursionError:  # a last guard: json's C parser recurses per level
        raise InvalidOutputError(_("The model's JSON is nested too deeply.")) from None
    except json.JSONDecodeError as exc:
        raise InvalidOutputError(_("The model's JSON is malformed ({msg} at character {pos}).")
                                 .format(msg=exc.msg, pos=exc.pos)) from None
    if not isinstance(value, dict):
        raise InvalidOutputError(_("The model's JSON is not an object."))
    return value


def malformed_response(provider: str) -> ProviderUnavailableError:
    """The error for a server whose HTTP body is not the JSON its API promises."""
    return ProviderUnavailableError(_("{provider} sent a malformed response; check the server address or try again.")
                                    .format(provider=provider))


def rate_limited(provider: str, response) -> RateLimitedError:
    """A RateLimitedError carrying the server's Retry-After (or retry-after-ms), if it sent one."""
    headers = getattr(response, "headers", None)
    retry_after = retry_after_seconds(headers) if headers is not None else None
    wait = f"Wait {retry_after:.0f} s" if retry_after is not None else "Wait a minute"
    return RateLimitedError(_("{provider} is rate limiting requests. {wait} and try again.")
                            .format(provider=provider, wait=wait), retry_after)


# Error codes (OpenAI's error.code / Anthropic's error.type) meaning the account is out of quota or credit.
QUOTA_CODES = frozenset({"insufficient_quota", "billing_error", "billing_hard_limit_reached"})


def error_code(body) -> str:
    """The machine-readable code of a vendor error body: error.code, else error.type ('' if none)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ""
    return str(error.get("code") or error.get("type") or "")


def response_code(exc) -> str:
    """The vendor error code of an SDK status error, read from its HTTP response body."""
    try:
        return error_code(exc.response.json())
    except (ValueError, AttributeError):
        return ""


SAID_CHARS = 200  # enough for a vendor's one-line reason, not for a prompt it might echo


def refused(provider: str, exc) -> ContentCraftError:
    """The error for a 4xx the vendor gave a reason for (a bad model name, a context too long), quoting it."""
    try:
        error = exc.response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    said = error.get("message") if isinstance(error, dict) else None
    if isinstance(said, str) and said.strip():
        return ContentCraftError(_("{provider} refused the request ({status_code}: “{said}”); check the model name "
                                   "and settings.").format(provider=provider, status_code=exc.status_code,
                                                           said=cut(spaced_controls(said.strip()), SAID_CHARS, "…")))
    return ContentCraftError(_("{provider} refused the request ({status_code}); check the model name and "
                               "settings.").format(provider=provider, status_code=exc.status_code))


class QuotaAwareTransport(httpx2.HTTPTransport):
    """Marks "out of quota" answers `x-should-retry: false`, so the SDKs' own retry layer gives up at once.

    OpenAI sends them as 429, like a rate limit, which the SDKs would otherwise retry with backoff.
    Both official SDKs obey the x-should-retry header before looking at the status.
    """

    def handle_request(self, request):
        response = super().handle_request(request)
        if response.status_code in (400, 402, 403, 429):
            response.read()
            try:
                code = error_code(response.json())
            except ValueError:
                code = ""
            if code in QUOTA_CODES:
                response.headers["x-should-retry"] = "false"
        return response
