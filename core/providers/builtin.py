"""Registers the built-in providers through the register_providers hook."""

from ..hookspecs import hookimpl


@hookimpl
def register_providers(register):
    from .anthropic_provider import AnthropicProvider
    from .local import LocalProvider
    from .ollama_provider import OllamaProvider
    from .openai_provider import CustomProvider, OpenAIProvider

    for cls in (LocalProvider, OpenAIProvider, CustomProvider, AnthropicProvider, OllamaProvider):
        register(cls)
