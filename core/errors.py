"""The small error tree; every message is shown to the user and says how to fix the problem."""

from .i18n import N_, _


# Errors that stop every request to a provider until a person acts (no quota, key rejected): the
# fallback chain moves straight to the next provider, and bulk jobs pause instead of failing rows.
ACCOUNT_ERRORS = ("needs_key", "quota_exceeded")
# A provider nobody answers at its address (connection refused, no such host): a bulk job pauses on its
# probe row, or after OUTAGE_STREAK rows in a row fail so (core.bulk.rows), instead of failing every row.
UNREACHABLE = "provider_unreachable"


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


class ProviderUnreachableError(ProviderUnavailableError):
    """Nothing answers at the provider's address (connection refused, unknown host)."""

    kind = UNREACHABLE


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
FIELD_NAMES = {"brand_profile": N_("brand profile"), "name": N_("product name"), "current_copy": N_("current copy"),
               "sku": N_("SKU"), "meta_desc": N_("meta description"), "seo_title": N_("SEO title"),
               "body_html": N_("body"), "topic": N_("topic"), "keywords": N_("keywords"), "tone": N_("tone"),
               "length": N_("length"), "language": N_("language"), "sections": N_("sections"),
               "category": N_("category"), "features": N_("features"), "attributes": N_("attributes"),
               "audience": N_("audience"), "title": N_("title"), "excerpt": N_("excerpt"), "slug": N_("slug")}


def explain_validation_error(exc, limit: int | None = 4) -> str:
    """A pydantic ValidationError said the way a person would: "The topic needs at least 5 characters."."""
    return " ".join(_explain(error) for error in exc.errors()[:limit])


def _explain(error: dict) -> str:
    field = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "")
    name = _(FIELD_NAMES[field]) if field in FIELD_NAMES else field.replace("_", " ") or _("input")
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing" or kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("The {name} is required.").format(name=name)
    if kind == "string_too_short":
        return _("The {name} needs at least {min_length} characters.").format(name=name, min_length=ctx["min_length"])
    if kind == "string_too_long":
        return _("The {name} can have at most {max_length} characters (it has {length}).").format(
            name=name, max_length=ctx["max_length"], length=len(str(given)))
    if kind == "too_long":
        return _("Give at most {max_length} {name} (you gave {count}).").format(
            max_length=ctx["max_length"], name=name, count=ctx.get("actual_length", len(given or ())))
    if kind == "too_short":
        return _("Give at least {min_length} {name}.").format(min_length=ctx["min_length"], name=name)
    if kind == "literal_error":
        return _("Choose the {name} from {expected}.").format(name=name, expected=ctx.get("expected"))
    if kind == "extra_forbidden":
        return _("“{field}” is not a field this form takes.").format(field=field)
    message = error["msg"].removeprefix("Value error, ")
    message = f"{message[:1].lower()}{message[1:]}" + ("" if message.endswith(".") else ".")
    return _("The {name}: {message}").format(name=name, message=message)
