"""Ollama's /api/chat through the official client; the JSON schema goes in `format`."""

import json
from collections.abc import Iterator
from functools import cached_property

import httpx
import ollama
from pydantic import ValidationError

from ..errors import (ContentCraftError, ProviderTimeoutError, ProviderUnavailableError, ProviderUnreachableError,
                      RateLimitedError)
from .base import Messages, Provider, Usage, malformed_response, url_host
from ..i18n import _


class OllamaProvider(Provider):
    """A model served by Ollama at OLLAMA_HOST (default http://127.0.0.1:11434)."""

    name = "ollama"
    label = "Ollama"
    default_model = "llama3.2"

    def host(self) -> str:
        return url_host(self.settings.ollama_host or "http://127.0.0.1:11434")

    @cached_property
    def client(self) -> ollama.Client:
        # Ollama's client has no retry option; httpx's transport retries failed connections.
        return ollama.Client(host=self.settings.ollama_host or "http://127.0.0.1:11434",
                             timeout=self.settings.timeout,
                             transport=httpx.HTTPTransport(retries=self.settings.max_retries))

    def execute(self, messages: Messages, schema: dict | None, stream: bool, usage: Usage) -> Iterator[str]:
        args = {"model": self.model, "messages": messages, "options": {"num_predict": self.settings.max_tokens}}
        if schema is not None:
            args["format"] = schema
        try:
            if not stream:
                result = self.client.chat(**args)
                _record(usage, result)
                yield result.message.content or ""
                return
            for part in self.client.chat(**args, stream=True):
                if part.message.content:
                    yield part.message.content
                if part.done:
                    _record(usage, part)
        except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as exc:
            raise map_ollama_error(exc, self.settings.ollama_host or "http://127.0.0.1:11434") from exc
        except (json.JSONDecodeError, ValidationError) as exc:
            raise malformed_response(self.name) from exc


def _record(usage: Usage, part) -> None:
    if part.done_reason:
        usage.finish_reason = "length" if part.done_reason == "length" else "stop"
    usage.model = part.model or usage.model
    usage.prompt_tokens = part.prompt_eval_count or 0
    usage.completion_tokens = part.eval_count or 0


def map_ollama_error(exc: Exception, url: str = "OLLAMA_HOST") -> Exception:
    """The ContentCraft error for an ollama client exception; url: the server it was sent to."""
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeoutError(_("ollama did not answer in time; try again or raise CONTENTCRAFT_TIMEOUT."))
    if isinstance(exc, (ConnectionError, httpx.ConnectError)):
        return ProviderUnreachableError(_("Can't reach Ollama at {url}: start it (`ollama serve`) or choose another "
                                          "provider.").format(url=url))
    if isinstance(exc, httpx.TransportError):
        return ProviderUnavailableError(_("Cannot reach ollama: is `ollama serve` running at OLLAMA_HOST?"))
    if isinstance(exc, ollama.ResponseError) and exc.status_code == 429:
        return RateLimitedError(_("ollama is busy. Wait a moment and try again."))
    if isinstance(exc, ollama.ResponseError) and exc.status_code >= 500:
        return ProviderUnavailableError(_("ollama had a server error ({status_code}): {error}")
                                        .format(status_code=exc.status_code, error=exc.error))
    if isinstance(exc, ollama.ResponseError) and exc.status_code == 404:
        return ContentCraftError(_("ollama does not have that model: run `ollama pull` for it first ({error}).")
                                 .format(error=exc.error))
    return ContentCraftError(_("ollama refused the request: {exc}").format(exc=exc))
