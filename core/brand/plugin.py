"""The built-in brand voice plugin: a profile named in a request goes into the prompt."""

from ..hookspecs import hookimpl
from .apply import instructions, profile_for


@hookimpl
def prompt_instructions(request):
    """The named profile's description, rules, words and example, or None."""
    profile = profile_for(request)
    return instructions(profile, request) if profile is not None else None
