"""Providers by name, and the fallback chain across them."""

import threading
from collections.abc import Callable

from ..config import Settings
from ..errors import ContentCraftError
from .base import Completion, Messages, Provider, Usage, parse_json_object

__all__ = ["Completion", "Messages", "Provider", "Usage", "parse_json_object",
           "provider_classes", "get_provider", "complete_with_fallback"]

_instances: dict[tuple, Provider] = {}
_instances_lock = threading.Lock()


def provider_classes() -> dict[str, type[Provider]]:
    """Every registered provider class by name, built-ins and plugins alike."""
    from ..plugins import pm

    classes: dict[str, type[Provider]] = {}
    pm.hook.register_providers(register=lambda cls: classes.setdefault(cls.name, cls))
    return classes


def get_provider(name: str, settings: Settings, model: str | None = None) -> Provider:
    """A provider instance, reused while its settings are unchanged (the local model loads once)."""
    classes = provider_classes()
    if name not in classes:
        raise ContentCraftError(f"Unknown provider {name!r}: choose one of {', '.join(sorted(classes))}.")
    # model_dump_json masks keys, so the keys themselves (SecretStr hashes by value) join the cache key.
    key = (name, model, settings.model_dump_json(), settings.openai_api_key, settings.anthropic_api_key)
    with _instances_lock:
        if key not in _instances:
            _instances[key] = classes[name](settings, model)
        return _instances[key]


def complete_with_fallback(chain: list[Provider], messages: Messages, schema: dict | None = None,
                           on_chunk: Callable[[str], None] | None = None, max_tokens: int | None = None) -> Completion:
    """Try each provider in turn while the failure is retryable; the last error is raised."""
    tried: list[str] = []
    for position, provider in enumerate(chain):
        try:
            completion = provider.complete(messages, schema, on_chunk, max_tokens)
        except ContentCraftError as error:
            tried.append(provider.name)
            if not error.retryable or position == len(chain) - 1:
                raise
            continue
        completion.fallback_from = tried
        return completion
    raise ContentCraftError("No provider is configured: set CONTENTCRAFT_PROVIDER.")
