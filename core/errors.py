"""The small error tree; every message is shown to the user and says how to fix the problem."""


# Errors that stop every request to a provider until a person acts (no quota, key rejected): the
# fallback chain moves straight to the next provider, and bulk jobs pause instead of failing rows.
ACCOUNT_ERRORS = ("needs_key", "quota_exceeded")


class ContentCraftError(Exception):
    """Base error: its message is safe to display to the user; `kind` names it in responses and logs.

    Each error the API answers differently has its own `kind` (api/problems.py maps kinds and classes to
    problem types); a subclass without one is reported as its parent.
    """

    retryable = False
    kind = "error"


class NeedsKeyError(ContentCraftError):
    """A provider needs an API key that is not configured, or rejected the one it was given."""

    kind = "needs_key"


class RateLimitedError(ContentCraftError):
    """Too many requests; retry_after says how many seconds to wait."""

    retryable = True
    kind = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExceededError(ContentCraftError):
    """The provider account has no quota or credit left: waiting will not help, paying will."""

    kind = "quota_exceeded"


class TruncatedOutputError(ContentCraftError):
    """The model stopped at the token limit before its answer was complete."""

    kind = "truncated"


class ProviderTimeoutError(ContentCraftError):
    """The provider did not answer in time."""

    retryable = True
    kind = "provider_timeout"


class ProviderUnavailableError(ContentCraftError):
    """The provider could not be reached or answered with a server error."""

    retryable = True
    kind = "provider_unavailable"


class CancelledError(ContentCraftError):
    """The user cancelled a generation before it finished."""

    kind = "cancelled"


class InvalidOutputError(ContentCraftError):
    """The model's answer could not be turned into valid content."""

    kind = "invalid_output"


class ValidationFailedError(ContentCraftError):
    """The user's input is not valid."""

    kind = "validation_failed"


class PermissionDeniedError(ContentCraftError):
    """The signed-in user's role does not allow this action."""

    kind = "permission_denied"


class AuthenticationError(ContentCraftError):
    """Sign-in failed, or the session is no longer valid."""

    kind = "authentication_failed"


class InvalidTransitionError(ContentCraftError):
    """A content item cannot move from its current status to the one asked for."""

    kind = "invalid_transition"


class NotFoundError(ContentCraftError):
    """The thing asked for does not exist."""

    kind = "not_found"


class PublishFailedError(ContentCraftError):
    """A WordPress or WooCommerce site refused or did not answer; status is the HTTP status, if any."""

    kind = "publish_failed"

    def __init__(self, message: str, *, status: int | None = None, code: str = "", retryable: bool = False):
        super().__init__(message)
        self.status, self.code, self.retryable = status, code, retryable


def describe_validation_error(exc, limit: int | None = None) -> str:
    """One line naming each bad field of a pydantic ValidationError and what is wrong with it."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()[:limit])


# How form fields are named to people (the rest: the field name with spaces).
FIELD_NAMES = {"brand_profile": "brand profile", "name": "product name", "current_copy": "current copy", "sku": "SKU",
               "meta_desc": "meta description", "seo_title": "SEO title", "body_html": "body"}


def explain_validation_error(exc, limit: int | None = 4) -> str:
    """A pydantic ValidationError said the way a person would: "The topic needs at least 5 characters."."""
    return " ".join(_explain(error) for error in exc.errors()[:limit])


def _explain(error: dict) -> str:
    field = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "")
    name = FIELD_NAMES.get(field, field.replace("_", " ")) or "input"
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing" or kind == "string_too_short" and ctx.get("min_length") == 1:
        return f"The {name} is required."
    if kind == "string_too_short":
        return f"The {name} needs at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"The {name} can have at most {ctx['max_length']} characters (it has {len(str(given))})."
    if kind == "too_long":
        return f"Give at most {ctx['max_length']} {name} (you gave {ctx.get('actual_length', len(given or ()))})."
    if kind == "too_short":
        return f"Give at least {ctx['min_length']} {name}."
    if kind == "literal_error":
        return f"Choose the {name} from {ctx.get('expected')}."
    if kind == "extra_forbidden":
        return f"“{field}” is not a field this form takes."
    message = error["msg"].removeprefix("Value error, ")
    return f"The {name}: {message[:1].lower()}{message[1:]}" + ("" if message.endswith(".") else ".")
