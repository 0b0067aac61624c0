"""One schema-constrained answer through the provider chain: hooks, fallback, token tally, one retry
with a larger token budget when the answer was cut off, and one repair."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError

from . import prompts
from .errors import InvalidOutputError, TruncatedOutputError, describe_validation_error
from .plugins import pm
from .providers import Completion, complete_with_fallback
from .i18n import _


@dataclass
class Tally:
    """Tokens and the answering provider across the first call and any repairs."""

    provider: str = ""
    model: str = ""
    host: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    truncations: int = 0
    completions: list[Completion] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """Whether any answer stopped at the token limit."""
        return self.truncations > 0

    def add(self, completion: Completion) -> None:
        self.provider, self.model, self.host = completion.provider, completion.model, completion.host
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.truncations += completion.finish_reason == "length"
        self.completions.append(completion)


@functools.cache
def draft_schema(draft_model: type[BaseModel]) -> dict:
    """The JSON schema the model must follow (built once: pydantic's schema generation is slow)."""
    return draft_model.model_json_schema()


def call_chain(chain: list, messages: list, schema: dict | None, tally: Tally,
               on_chunk: Callable[[str], None] | None = None) -> Completion:
    """One completion through the chain, with the request and response hooks, added to the tally."""
    args = {"messages": messages, "schema": schema}
    pm.hook.api_request_args(provider=chain[0].name, args=args)
    pm.hook.before_api_request(provider=chain[0].name, messages=args["messages"])
    completion = complete_with_fallback(chain, args["messages"], args["schema"], on_chunk)
    pm.hook.api_response(provider=completion.provider, completion=completion)
    tally.add(completion)
    return completion


def parse_answer(answer_model: type[BaseModel], completion: Completion) -> BaseModel:
    """The completion's JSON as answer_model, or InvalidOutputError naming what is wrong."""
    if completion.data is None:
        raise InvalidOutputError(completion.parse_error or _("The model did not answer with JSON."))
    try:
        return answer_model.model_validate(completion.data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, limit=5)
        raise InvalidOutputError(_("The model's JSON does not match the schema ({problems}).")
                                 .format(problems=problems)) from None


def ask(chain: list, messages: list, answer_model: type[BaseModel], tally: Tally,
        on_chunk: Callable[[str], None] | None = None, schema: dict | None = None) -> BaseModel:
    """A validated answer: one call, one retry with a larger budget if it was cut off, one repair if it is invalid.

    Raises TruncatedOutputError when the larger budget cuts the answer off too.
    """
    schema = schema or draft_schema(answer_model)
    configured = chain[0].settings.max_tokens
    completion = call_chain(chain, messages, schema, tally, on_chunk)
    retried = completion.finish_reason == "length"
    if retried:
        chain = larger_budget(chain)
        completion = checked(call_chain(chain, messages, schema, tally), configured, retried)
    try:
        return parse_answer(answer_model, completion)
    except InvalidOutputError as problem:
        repair = prompts.repair_messages(messages, completion.text, str(problem))
        return parse_answer(answer_model, checked(call_chain(chain, repair, schema, tally), configured, retried))


BUDGET_GROWTH = 2


def larger_budget(chain: list) -> list:
    """The chain with each provider allowed BUDGET_GROWTH times its configured max tokens."""
    return [provider.with_budget(provider.settings.max_tokens * BUDGET_GROWTH) for provider in chain]


def checked(completion: Completion, configured: int, retried: bool) -> Completion:
    """The completion, or TruncatedOutputError naming the setting if it stopped at the token limit."""
    if completion.finish_reason == "length":
        again = " " + _("A retry with {tokens} tokens was cut off too.").format(tokens=configured * BUDGET_GROWTH) if retried else ""
        raise TruncatedOutputError(_("The answer hit the token limit (CONTENTCRAFT_MAX_TOKENS={configured}): raise "
                                     "it or choose a shorter length.{again}")
                                   .format(configured=configured, again=again))
    return completion
