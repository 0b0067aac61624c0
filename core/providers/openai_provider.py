"""OpenAI and any OpenAI-compatible server ('custom'), through the official SDK."""

import json
from collections.abc import Iterator
from functools import cached_property

import openai

from ..errors import (NeedsKeyError, ProviderTimeoutError, ProviderUnavailableError,
                      ProviderUnreachableError, QuotaExceededError)
from . import headroom
from .base import (QUOTA_CODES, Messages, Provider, QuotaAwareTransport, Usage, malformed_response,
                   rate_limited, refused, response_code, url_host)
from ..i18n import _

OPENAI_URL = "https://api.openai.com/v1"


class OpenAIProvider(Provider):
    """OpenAI's Chat Completions API."""

    name = "openai"
    label = "OpenAI"
    default_model = "gpt-4o-mini"
    needs_key = True
    key_env_var = "OPENAI_API_KEY"

    def base_url(self) -> str:
        """OpenAI itself unless OPENAI_BASE_URL explicitly points elsewhere (the SDK never picks it up on its own)."""
        return self.settings.openai_base_url or OPENAI_URL

    def host(self) -> str:
        try:
            return url_host(self.base_url())
        except NeedsKeyError:
            return ""

    @cached_property
    def client(self) -> openai.OpenAI:
        return openai.OpenAI(api_key=self.api_key() or "not-needed", base_url=self.base_url(),
                             timeout=self.settings.timeout, max_retries=self.settings.max_retries,
                             http_client=openai.DefaultHttpxClient(transport=QuotaAwareTransport(),
                                                                   event_hooks=headroom.event_hooks(self.name)))

    def response_format(self, schema: dict) -> dict:
        return {"type": "json_schema", "json_schema": {"name": "content", "schema": schema}}

    def execute(self, messages: Messages, schema: dict | None, stream: bool, usage: Usage) -> Iterator[str]:
        args = {"model": self.model, "messages": messages, "max_tokens": self.settings.max_tokens}
        if schema is not None:
            args["response_format"] = self.response_format(schema)
        try:
            if not stream:
                result = self.client.chat.completions.create(**args)
                _record(usage, result)
                yield result.choices[0].message.content or ""
                return
            chunks = 0
            for chunk in self.client.chat.completions.create(
                    **args, stream=True, stream_options={"include_usage": True}):
                _record(usage, chunk)
                if chunk.choices and chunk.choices[0].delta.content:
                    chunks += 1
                    yield chunk.choices[0].delta.content
            # Some compatible servers (llama.cpp) send no usage when streaming; each chunk is one token there.
            usage.completion_tokens = usage.completion_tokens or chunks
        except openai.OpenAIError as exc:
            raise map_openai_error(self.name, exc, self.label, self.key_env_var) from exc
        except json.JSONDecodeError as exc:
            raise malformed_response(self.name) from exc


class CustomProvider(OpenAIProvider):
    """Any OpenAI-compatible server (vLLM, LM Studio, llama.cpp server) at CONTENTCRAFT_CUSTOM_BASE_URL.

    It has its own optional key, CONTENTCRAFT_CUSTOM_API_KEY: the OpenAI key is never sent to it.
    """

    name = "custom"
    label = "custom"
    default_model = "local-model"
    needs_key = False
    key_env_var = "CONTENTCRAFT_CUSTOM_API_KEY"

    def base_url(self) -> str:
        if not self.settings.custom_base_url:
            raise NeedsKeyError(_("The custom provider needs a server address: set CONTENTCRAFT_CUSTOM_BASE_URL, "
                                  "e.g. http://127.0.0.1:8000/v1 (OPENAI_BASE_URL only points the openai provider)."))
        return self.settings.custom_base_url

    def api_key(self) -> str | None:
        key = self.settings.custom_api_key
        return key.get_secret_value() if key else None

    def response_format(self, schema: dict) -> dict:
        return {"type": "json_object", "schema": schema}


def _record(usage: Usage, result) -> None:
    choices = getattr(result, "choices", None)
    if choices and choices[0].finish_reason:
        usage.finish_reason = "length" if choices[0].finish_reason == "length" else "stop"
    if getattr(result, "model", None):
        usage.model = result.model
    if getattr(result, "usage", None):
        usage.prompt_tokens = result.usage.prompt_tokens or 0
        usage.completion_tokens = result.usage.completion_tokens or 0


def map_openai_error(provider: str, exc: Exception, label: str = "", key_name: str = "OPENAI_API_KEY") -> Exception:
    """The ContentCraft error for an openai SDK exception."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeoutError(_("{provider} did not answer in time; try again or raise CONTENTCRAFT_TIMEOUT.")
                                    .format(provider=provider))
    if isinstance(exc, openai.APIStatusError) and response_code(exc) in QUOTA_CODES:
        return QuotaExceededError(_("The {label} account has no quota left: check billing ({response_code}).")
                                  .format(label=label or provider, response_code=response_code(exc)))
    if isinstance(exc, openai.RateLimitError):
        return rate_limited(provider, exc.response)
    if isinstance(exc, openai.AuthenticationError):
        return NeedsKeyError(_("{provider} rejected the API key (HTTP 401): check {key_name}, or create a new key "
                               "if it was revoked.").format(provider=provider, key_name=key_name))
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnreachableError(_("Cannot reach {provider}: check the server address and network.")
                                        .format(provider=provider))
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return ProviderUnavailableError(_("{provider} had a server error ({status_code}); try again shortly.")
                                        .format(provider=provider, status_code=exc.status_code))
    if isinstance(exc, openai.APIStatusError):
        return refused(provider, exc)
    return ProviderUnavailableError(_("{provider} failed ({error_type}); try again shortly.")
                                    .format(provider=provider, error_type=type(exc).__name__))

