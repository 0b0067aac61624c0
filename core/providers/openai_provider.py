"""OpenAI and any OpenAI-compatible server ('custom'), through the official SDK."""

import json
from collections.abc import Iterator
from functools import cached_property

import openai

from ..errors import (ContentCraftError, NeedsKeyError, ProviderTimeoutError, ProviderUnavailableError)
from . import headroom
from .base import Messages, Provider, Usage, malformed_response, rate_limited


class OpenAIProvider(Provider):
    """OpenAI's Chat Completions API."""

    name = "openai"
    default_model = "gpt-4o-mini"
    needs_key = True
    key_env_var = "OPENAI_API_KEY"

    def base_url(self) -> str | None:
        return self.settings.openai_base_url

    @cached_property
    def client(self) -> openai.OpenAI:
        return openai.OpenAI(api_key=self.api_key() or "not-needed", base_url=self.base_url(),
                             timeout=self.settings.timeout, max_retries=self.settings.max_retries,
                             http_client=openai.DefaultHttpxClient(event_hooks=headroom.event_hooks(self.name)))

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
            raise map_openai_error(self.name, exc) from exc
        except json.JSONDecodeError as exc:
            raise malformed_response(self.name) from exc


class CustomProvider(OpenAIProvider):
    """Any OpenAI-compatible server (vLLM, LM Studio, llama.cpp server) at OPENAI_BASE_URL."""

    name = "custom"
    default_model = "local-model"
    needs_key = False

    def base_url(self) -> str:
        if not self.settings.openai_base_url:
            raise NeedsKeyError("The custom provider needs a server address: set OPENAI_BASE_URL, "
                                "e.g. http://127.0.0.1:8000/v1.")
        return self.settings.openai_base_url

    def response_format(self, schema: dict) -> dict:
        return {"type": "json_object", "schema": schema}


def _record(usage: Usage, result) -> None:
    if getattr(result, "model", None):
        usage.model = result.model
    if getattr(result, "usage", None):
        usage.prompt_tokens = result.usage.prompt_tokens or 0
        usage.completion_tokens = result.usage.completion_tokens or 0


def map_openai_error(provider: str, exc: Exception) -> Exception:
    """The ContentCraft error for an openai SDK exception."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeoutError(f"{provider} did not answer in time; try again or raise CONTENTCRAFT_TIMEOUT.")
    if isinstance(exc, openai.RateLimitError):
        return rate_limited(provider, exc.response)
    if isinstance(exc, openai.AuthenticationError):
        return NeedsKeyError(f"{provider} rejected the API key: check OPENAI_API_KEY.")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnavailableError(f"Cannot reach {provider}: check the server address and network.")
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return ProviderUnavailableError(f"{provider} had a server error ({exc.status_code}); try again shortly.")
    if isinstance(exc, openai.APIStatusError):
        return ContentCraftError(f"{provider} refused the request ({exc.status_code}); check the model name and settings.")
    return ProviderUnavailableError(f"{provider} failed ({type(exc).__name__}); try again shortly.")
