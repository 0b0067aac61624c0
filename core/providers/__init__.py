"""Providers by name, and the fallback chain across them."""

import threading
import time
from collections.abc import Callable

from ..config import Settings
from ..errors import ACCOUNT_ERRORS, ContentCraftError, ValidationFailedError
from .base import Completion, Messages, Provider, Usage, parse_json_object
from ..i18n import _

__all__ = ["Completion", "Messages", "Provider", "Usage", "parse_json_object",
           "provider_classes", "get_provider", "complete_with_fallback"]

_instances: dict[tuple, Provider] = {}
_instances_lock = threading.Lock()
# After "no quota" or "key rejected", a provider is skipped for this long while the chain has another.
ACCOUNT_COOLDOWN_SECONDS = 60.0


def provider_classes() -> dict[str, type[Provider]]:
    """Every registered provider class by name, built-ins and plugins alike."""
    from ..plugins import pm

    classes: dict[str, type[Provider]] = {}
    pm.hook.register_providers(register=lambda cls: classes.setdefault(cls.name, cls))
    return classes


def lacks_key(name: str, settings: Settings) -> bool:
    """Whether the provider needs an API key that settings do not hold (it would refuse every call)."""
    provider = provider_classes().get(name)
    if provider is None or not provider.needs_key or not provider.key_env_var:
        return False
    return not getattr(settings, provider.key_env_var.lower(), None)


def get_provider(name: str, settings: Settings, model: str | None = None) -> Provider:
    """A provider instance, reused while its settings are unchanged (the local model loads once)."""
    classes = provider_classes()
    if name not in classes:
        raise ValidationFailedError(_("Unknown provider {name!r}: choose one of {classes}.")
                                    .format(name=name, classes=', '.join(sorted(classes))))
    # model_dump_json masks keys, so the keys themselves (SecretStr hashes by value) join the cache key.
    key = (name, model, settings.model_dump_json(), settings.openai_api_key, settings.anthropic_api_key,
           settings.custom_api_key)
    with _instances_lock:
        if key not in _instances:
            _instances[key] = classes[name](settings, model)
        return _instances[key]


def complete_with_fallback(chain: list[Provider], messages: Messages, schema: dict | None = None,
                           on_chunk: Callable[[str], None] | None = None) -> Completion:
    """Try each provider in turn while the failure is retryable or account-wide; the last error is raised.

    A provider whose account just failed (no quota, key rejected) is skipped for ACCOUNT_COOLDOWN_SECONDS
    while a later one remains, so rows go straight to the fallback instead of asking it again first.
    """
    usable = [p for p in chain if p.unusable_until <= time.monotonic()] or chain[-1:]
    tried = [p.name for p in chain[:chain.index(usable[0])]]  # skipped ones count as tried
    for position, provider in enumerate(usable):
        try:
            completion = provider.complete(messages, schema, on_chunk)
        except ContentCraftError as error:
            tried.append(provider.name)
            if error.kind in ACCOUNT_ERRORS:
                provider.unusable_until = time.monotonic() + ACCOUNT_COOLDOWN_SECONDS
            elif not error.retryable:
                raise
            if position == len(usable) - 1:
                raise
            continue
        provider.unusable_until = 0.0
        completion.fallback_from = tried
        return completion
    raise ContentCraftError(_("No provider is configured: set CONTENTCRAFT_PROVIDER."))
