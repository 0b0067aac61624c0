"""Text from outside (WordPress replies, model output, provider errors, uploaded files) shown as plain text.

Streamlit's st.markdown, st.caption and the alert boxes read markdown; a remote string put into one
must not become a link, an image, a heading or coloured text, so it goes through `md()` first.
"""

import re
from urllib.parse import quote, urlsplit

# What can turn inline text into markup in Streamlit's markdown: emphasis, code, links and images, HTML,
# entities, LaTeX, strikethrough, tables; a block marker at the start. Backslashes stop those.
_INLINE = re.compile(r"([\\`*_\[\]<>&$~|])")
_LINE_START = re.compile(r"^([#>+\-])(?=\s|$)|^(\d+)([.)])(?=\s|$)")  # a marker needs a space after it
# Streamlit finds :emoji:, :material/icon:, :red[...] directives and GFM autolinks (https://, www., x@y)
# in text after escapes are resolved, so a backslash cannot stop them: an invisible WORD JOINER (U+2060)
# inside each trigger (after a ":" that a letter, "/", "+", "-" or a whole :code: follows, so "09:00" stays
# as it is; before the "." of "www."; before the "@" of an address) does.
JOINER = "\u2060"
_TRIGGER = re.compile(r"(?<=:)(?=[A-Za-z/+-]|[\w+-]+:)|(?i:(?<=www)(?=\.))|(?<=[-.+\w])(?=@)")


def md(value) -> str:
    """value as markdown that shows exactly its text, on one line (no paragraph, list or heading can start)."""
    text = _INLINE.sub(r"\\\1", " ".join(str(value).split()))
    text = _LINE_START.sub(lambda found: f"\\{found[1]}" if found[1] else f"{found[2]}\\{found[3]}", text)
    return _TRIGGER.sub(JOINER, text)


def link(url: str, label: str | None = None) -> str:
    """A markdown link to an http(s) URL with a plain-text label; any other URL is shown as plain text."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in {"http", "https"}:
        return md(url)
    return f"[{md(label or url)}]({quote(url, safe=':/?#@!$&*+,;=%~')})"
