"""Unicode-safe text helpers: cuts on grapheme-cluster boundaries and control characters made spaces.

Grapheme clusters are UAX #29 extended grapheme clusters, found with the `regex` module's `\\X`
(emoji ZWJ sequences, flags, skin tones and combining marks stay whole).
"""

import itertools
import re

import regex
from .i18n import N_, _

_GRAPHEME = regex.compile(r"\X")
# C0 controls except tab, newline and carriage return; DEL; C1 controls. Unicode's "Cc" category minus \t\n\r.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")


def graphemes(text: str, limit: int | None = None) -> list[str]:
    """The user-perceived characters (extended grapheme clusters) of text, in order; the first `limit` only."""
    if limit is None:
        return _GRAPHEME.findall(text)
    return [match.group() for match in itertools.islice(_GRAPHEME.finditer(text), limit)]


def grapheme_len(text: str) -> int:
    """How many characters a reader (and Google's snippet length) counts in text."""
    return len(graphemes(text))


def cut(text: str, limit: int, ellipsis: str = "") -> str:
    """Text cut to at most `limit` grapheme clusters (ellipsis included), never inside one."""
    clusters = graphemes(text)
    if len(clusters) <= limit:
        return text
    keep = max(0, limit - grapheme_len(ellipsis))
    return "".join(clusters[:keep]) + (ellipsis if limit >= grapheme_len(ellipsis) else "")


def cut_to_units(text: str, limit: int) -> str:
    """Text cut to at most `limit` code points without splitting a cluster (for limits counted in code points)."""
    if len(text) <= limit:
        return text
    out, size = [], 0
    for cluster in _GRAPHEME.finditer(text):
        size += len(cluster.group())
        if size > limit:
            break
        out.append(cluster.group())
    return "".join(out)


def spaced_controls(text: str) -> str:
    """Text with every run of control characters (vertical tab, form feed, NUL…) turned into one space."""
    return _CONTROL.sub(" ", text)


def clean_controls(value):
    """spaced_controls() applied to every string inside a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        return spaced_controls(value)
    if isinstance(value, dict):
        return {clean_controls(k): clean_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_controls(v) for v in value]
    return value


# The scripts each language is written in (Unicode script names as `regex` knows them); others: Latin.
LANGUAGE_SCRIPTS = {"fa": ("Arabic",), "ar": ("Arabic",), "ja": ("Han", "Hiragana", "Katakana"),
                    "zh": ("Han",), "ko": ("Hangul", "Han")}
SCRIPT_NAMES = {"fa": N_("Arabic script"), "ar": N_("Arabic script"), "ja": N_("Japanese script (kana or kanji)"),
                "zh": "Chinese characters", "ko": "Hangul"}
# Letters of a particular script: not the Common ones (e.g. the Japanese prolonged sound mark ー).
_LETTER = regex.compile(r"(?![\p{Script=Common}\p{Script=Inherited}])\p{L}")


def script_share(text: str, language: str) -> float | None:
    """The share (0–1) of text's letters written in the script its language needs; None without letters."""
    letters = _LETTER.findall(text)
    if not letters:
        return None
    scripts = LANGUAGE_SCRIPTS.get(language, ("Latin",))
    pattern = _script_pattern(scripts)
    return sum(1 for letter in letters if pattern.match(letter)) / len(letters)


def in_script(text: str, language: str) -> bool:
    """Whether text is written in its language's script: some letters of it for Arabic, CJK and Hangul
    (product names mix in Latin), most letters for Latin-script languages."""
    share = script_share(text, language)
    if share is None:
        return True
    return share > 0 if language in LANGUAGE_SCRIPTS else share >= 0.5


def script_name(language: str) -> str:
    """How to name the script a language needs, e.g. 'Arabic script'."""
    return _(SCRIPT_NAMES.get(language, N_("Latin script")))


_patterns: dict[tuple, "regex.Pattern"] = {}


def _script_pattern(scripts: tuple[str, ...]):
    if scripts not in _patterns:
        _patterns[scripts] = regex.compile("|".join(rf"\p{{Script={name}}}" for name in scripts))
    return _patterns[scripts]
