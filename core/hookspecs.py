"""Hook specifications: ContentCraft's filters and actions, one line each."""

import pluggy

hookspec = pluggy.HookspecMarker("contentcraft")
hookimpl = pluggy.HookimplMarker("contentcraft")


@hookspec
def register_providers(register):
    """Register provider classes by calling register(ProviderClass)."""


@hookspec
def before_generate(request, user, engine):
    """Inspect a request before anything runs (engine: the database in use); raise ContentCraftError to refuse."""


@hookspec
def prompt_instructions(request):
    """Return extra instruction text to add to the prompt, or None."""


@hookspec
def api_request_args(provider, args):
    """Change the provider call's args (messages, schema) in place before it is sent."""


@hookspec
def before_api_request(provider, messages):
    """Observe the messages about to be sent to a provider."""


@hookspec
def api_response(provider, completion):
    """Observe or adjust a provider's raw completion before it is parsed."""


@hookspec
def generated_content(request, data):
    """Adjust the validated content in place before it is saved and returned."""


@hookspec
def content_generated(request, response, user):
    """React to a successful generation."""


@hookspec
def generation_failed(request, error, user):
    """React to a generation that failed."""


@hookspec
def brand_trained(profile):
    """React to a brand profile being trained or retrained."""
