"""Unicode-safe text helpers: cuts on grapheme-cluster boundaries and control characters made spaces.

Grapheme clusters are UAX #29 extended grapheme clusters, found with the `regex` module's `\\X`
(emoji ZWJ sequences, flags, skin tones and combining marks stay whole).
"""

import re

import regex

_GRAPHEME = regex.compile(r"\X")
# C0 controls except tab, newline and carriage return; DEL; C1 controls. Unicode's "Cc" category minus \t\n\r.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")


def graphemes(text: str) -> list[str]:
    """The user-perceived characters (extended grapheme clusters) of text, in order."""
    return _GRAPHEME.findall(text)


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
