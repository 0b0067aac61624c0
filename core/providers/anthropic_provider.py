"""Anthropic's Messages API through the official SDK; JSON comes back through a forced tool call."""

import json
from collections.abc import Iterator
from functools import cached_property

import anthropic

from ..errors import (NeedsKeyError, ProviderTimeoutError, ProviderUnavailableError,
                      ProviderUnreachableError, QuotaExceededError)
from . import headroom
from .base import (QUOTA_CODES, Messages, Provider, QuotaAwareTransport, Usage, malformed_response,
                   rate_limited, refused, response_code, url_host)
from ..i18n import _

TOOL_NAME = "emit_content"


class AnthropicProvider(Provider):
    """Claude models; a JSON schema becomes the input schema of a tool the model must call."""

    name = "anthropic"
    label = "Anthropic"
    default_model = "claude-sonnet-4-5"
    needs_key = True
    key_env_var = "ANTHROPIC_API_KEY"

    def host(self) -> str:
        return url_host(self.settings.anthropic_base_url or "https://api.anthropic.com")

    @cached_property
    def client(self) -> anthropic.Anthropic:
        return anthropic.Anthropic(api_key=self.api_key(), base_url=self.settings.anthropic_base_url,
                                   timeout=self.settings.timeout, max_retries=self.settings.max_retries,
                                   http_client=anthropic.DefaultHttpxClient(
                                       transport=QuotaAwareTransport(), event_hooks=headroom.event_hooks(self.name)))

    def execute(self, messages: Messages, schema: dict | None, stream: bool, usage: Usage) -> Iterator[str]:
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        args = {"model": self.model, "max_tokens": self.settings.max_tokens,
                "messages": [m for m in messages if m["role"] != "system"]}
        if system:
            args["system"] = system
        if schema is not None:
            args["tools"] = [{"name": TOOL_NAME, "description": "Return the finished content.", "input_schema": schema}]
            args["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        try:
            yield from (self._stream(args, usage) if stream else self._create(args, usage))
        except anthropic.AnthropicError as exc:
            raise map_anthropic_error(exc) from exc
        except json.JSONDecodeError as exc:
            raise malformed_response(self.name) from exc

    def _create(self, args: dict, usage: Usage) -> Iterator[str]:
        message = self.client.messages.create(**args)
        _record(usage, message)
        for block in message.content:
            if block.type == "tool_use":
                yield json.dumps(block.input, ensure_ascii=False)
            elif block.type == "text":
                yield block.text

    def _stream(self, args: dict, usage: Usage) -> Iterator[str]:
        with self.client.messages.stream(**args) as events:
            for event in events:
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    yield event.delta.text
                elif event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                    yield event.delta.partial_json
            _record(usage, events.get_final_message())


def _record(usage: Usage, message) -> None:
    if message.stop_reason:
        usage.finish_reason = "length" if message.stop_reason == "max_tokens" else "stop"
    usage.model = message.model or usage.model
    usage.prompt_tokens = message.usage.input_tokens or 0
    usage.completion_tokens = message.usage.output_tokens or 0


def map_anthropic_error(exc: Exception) -> Exception:
    """The ContentCraft error for an anthropic SDK exception."""
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderTimeoutError(_("anthropic did not answer in time; try again or raise CONTENTCRAFT_TIMEOUT."))
    if isinstance(exc, anthropic.PaymentRequiredError) or (
            isinstance(exc, anthropic.APIStatusError) and response_code(exc) in QUOTA_CODES):
        return QuotaExceededError(_("The Anthropic account has no credit left: check billing ({response_code}).")
                                  .format(response_code=response_code(exc) or exc.status_code))
    if isinstance(exc, anthropic.RateLimitError):
        return rate_limited("anthropic", exc.response)
    if isinstance(exc, anthropic.AuthenticationError):
        return NeedsKeyError(_("anthropic rejected the API key (HTTP 401): check ANTHROPIC_API_KEY, or create a new "
                               "key if it was revoked."))
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderUnreachableError(_("Cannot reach anthropic: check ANTHROPIC_BASE_URL and the network."))
    if isinstance(exc, anthropic.APIStatusError) and (exc.status_code >= 500 or exc.status_code == 529):
        return ProviderUnavailableError(_("anthropic had a server error ({status_code}); try again shortly.")
                                        .format(status_code=exc.status_code))
    if isinstance(exc, anthropic.APIStatusError):
        return refused("anthropic", exc)
    return ProviderUnavailableError(_("anthropic failed ({error_type}); try again shortly.")
                                    .format(error_type=type(exc).__name__))

