"""Translations of the dashboard, CLI and error messages: gettext catalogues in `data/locale`, domain "contentcraft".

Mark a string with `_("Save")`, a count with `ngettext("{n} row", "{n} rows", n).format(n=n)`, and a string
defined at import time (a module constant, a label table) with `N_("…")`, translating it with `_()` where it
is shown. The active language belongs to the current context (one Streamlit script run, one API request, one
CLI process): `set_language("fa")` or `with use_language("fa"): …`. A missing catalogue falls back to English.
"""

import contextvars
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache
import gettext
import os
from pathlib import Path

from babel import Locale

DOMAIN = "contentcraft"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "data" / "locale"
UI_LANGUAGES = ("en", "fa", "ar", "de", "es", "fr", "it", "ja", "ko", "zh")
RTL_LANGUAGES = frozenset({"fa", "ar"})
DEFAULT_LANGUAGE = "en"

_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("contentcraft_language", default=None)
_fallback: Callable[[], str | None] | None = None


def normalise(tag: str | None) -> str | None:
    """A UI language code from a tag such as "fa-IR", "de_DE.UTF-8" or "ZH"; None when not one of ours."""
    if not tag:
        return None
    code = tag.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return code if code in UI_LANGUAGES else None


def environment_language(environ=os.environ) -> str:
    """The UI language a command-line process should speak, by gettext's order: LANGUAGE, LC_ALL, LC_MESSAGES, LANG."""
    for tag in (environ.get("LANGUAGE") or "").split(":"):
        if normalise(tag):
            return normalise(tag)
    locale_tag = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), None)
    return normalise(locale_tag) or DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (`.mo`), or the identity when none is installed."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def current_language() -> str:
    """The language of the current context; else the fallback's (see set_fallback); else "en"."""
    code = _language.get()
    if code is None and _fallback is not None:
        code = normalise(_fallback())
    return code or DEFAULT_LANGUAGE


def set_fallback(resolver: Callable[[], str | None] | None) -> None:
    """Where a context that set no language looks for one (the dashboard: the session's language, which its
    widget callbacks need, as they run before the script sets the language)."""
    global _fallback
    _fallback = resolver


def set_language(language: str | None) -> str:
    """Make `language` (any tag; unknown means English) current for this context; returns the code set."""
    code = normalise(language) or DEFAULT_LANGUAGE
    _language.set(code)
    return code


@contextmanager
def use_language(language: str | None):
    """Within the block, the current context speaks `language`."""
    token = _language.set(normalise(language) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def is_rtl(language: str | None = None) -> bool:
    """Whether the language (default: the current one) is written right to left."""
    return (normalise(language) if language else current_language()) in RTL_LANGUAGES


def _(message: str) -> str:
    """The message in the current language."""
    return catalogue(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message in the current language, by that language's plural rule for `n`."""
    return catalogue(current_language()).ngettext(singular, plural, n)


def language_name(code: str) -> str:
    """The name of a language (a code such as "fa") in the current UI language, from Babel's CLDR data."""
    return Locale.parse(current_language()).languages.get(code, code)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now (translate with `_()` where shown)."""
    return message


def negotiate(accept_language: str | None) -> str | None:
    """The UI language a browser's Accept-Language header prefers ("fa-IR,fa;q=0.9,en;q=0.8" → "fa"), or None.

    Tags are ranked by their q-value (RFC 9110 §12.5.4), then matched by Babel's `Locale.negotiate`, which
    also tries a tag's language alone ("de-CH" → "de").
    """
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = _quality(params)
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.replace("_", "-")))
    preferred = [tag for _q, _p, tag in sorted(ranked)]
    chosen = Locale.negotiate(preferred, UI_LANGUAGES, sep="-") if preferred else None
    return normalise(str(chosen)) if chosen else None


def _quality(params: str) -> float:
    """A language range's q-value from its parameters ("q=0.8"); 1 when absent, 0 when malformed."""
    for param in params.split(";"):
        name, _eq, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
