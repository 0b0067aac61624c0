"""Deterministic SEO post-processing: slug, title and description lengths, headings, JSON-LD, sanitising."""

import functools
import html
import json
import re
from html.parser import HTMLParser

import nh3
from slugify import slugify

from .images import NO_EXTERNAL_IMAGES, ImagePolicy
from .text import cut, graphemes, spaced_controls

SEO_TITLE_MAX = 60
META_MIN, META_MAX = 140, 160
_SENTENCE_END = ".!?。！？؟"
# Chinese and Japanese are written without spaces; Korean separates words with spaces.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_BLOCK_TAG = re.compile(r"<(p|h[1-6]|ul|ol|li|div|table|blockquote)\b", re.IGNORECASE)
ALLOWED_TAGS = {"h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i",
                "a", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img",
                "figure", "figcaption", "span"}


# An <img> as nh3 writes it (values always double-quoted, quotes inside escaped), to find those left without src.
_IMG = re.compile(r'<img(?:\s+[\w-]+(?:="[^"]*")?)*\s*/?>')


def clean_body(body: str, images: ImagePolicy = NO_EXTERNAL_IMAGES) -> tuple[str, list[str]]:
    """Body HTML safe to show and publish, and the src of each image `images` did not allow (now removed).

    Scripts, styles, handlers and h1 go; an `<img>` loads only from the hosts `images` allows."""
    body = re.sub(r"<(/?)h1\b", r"<\1h2", spaced_controls(body), flags=re.IGNORECASE)
    if not _BLOCK_TAG.search(body):
        body = "".join(f"<p>{html.escape(part.strip())}</p>" for part in re.split(r"\n\s*\n", body) if part.strip())
    dropped: list[str] = []

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and not images.allows(value):
            dropped.append(value)
            return None
        return value

    cleaned = nh3.clean(body, tags=ALLOWED_TAGS, link_rel="noopener noreferrer", attribute_filter=keep)
    if "<img" in cleaned:  # an image left without src (ours dropped, or nh3's: data:, javascript:) goes too
        cleaned = _IMG.sub(lambda tag: tag.group(0) if ' src="' in tag.group(0) else "", cleaned)
    return cleaned.strip(), dropped


def sanitize_html(body: str, images: ImagePolicy = NO_EXTERNAL_IMAGES) -> str:
    """Body HTML safe to show and publish (see clean_body); images `images` does not allow are removed."""
    return clean_body(body, images)[0]


_BLOCK_BOUNDARY = re.compile(r"<(?:br|/?(?:p|h[1-6]|li|ul|ol|div|tr|td|th|blockquote|pre|figcaption))\b[^>]*>",
                             re.IGNORECASE)


@functools.lru_cache(maxsize=256)  # the quality gate and SEO read the same body several times per result
def plain_text(value: str) -> str:
    """Text with every tag removed and whitespace collapsed; block elements stay separate words.

    Entities are decoded, and a tag that decoding brings to life (`&lt;img onerror=…&gt;`) is removed too,
    so the result never holds markup; escape it (`html_text`) wherever it goes into HTML.
    """
    text = spaced_controls(value)
    for _ in range(5):  # each round removes one layer of escaping; five covers any honest text
        spaced = _BLOCK_BOUNDARY.sub(lambda match: " " + match.group(0), text)
        cleaned = re.sub(r"\s+", " ", html.unescape(nh3.clean(spaced, tags=set()))).strip()
        if cleaned == text:
            return text
        text = cleaned
    return text.replace("<", "").replace(">", "")  # escaped deeper than any honest text: drop what could open a tag


def html_text(value: str) -> str:
    """Plain text escaped once for an HTML text context (a WordPress title or excerpt)."""
    return html.escape(plain_text(value), quote=False)


def json_ld_text(ld: dict) -> str:
    """JSON-LD as JSON safe inside <script>: `<`, `>` and `&` escaped, so `</script>` and `<!--` cannot break out."""
    text = json.dumps(ld, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fit_length(text: str, low: int, high: int) -> str | None:
    """Text cut to at most `high` characters at a sentence or word boundary, or None if under `low`.

    Characters are grapheme clusters (what a reader and Google's snippet count), so no cut splits one.
    """
    text = re.sub(r"\s+", " ", text).strip()
    clusters = graphemes(text, high + 1)  # enough to know whether it fits, and where to cut
    if len(clusters) <= high:
        return text if len(clusters) >= low else None
    window = clusters[:high]
    for index in range(len(window) - 1, low - 2, -1):
        if window[index] in _SENTENCE_END:
            return "".join(window[:index + 1])
    for index in range(len(window) - 1, low - 1, -1):
        if window[index] == " ":
            return "".join(window[:index]).rstrip(",;:-–—") + "…"
    return "".join(window[:high - 1]) + "…"


def seo_title(title: str, limit: int = SEO_TITLE_MAX) -> str:
    """At most `limit` characters (grapheme clusters), cut on a word boundary where the language has spaces."""
    title = plain_text(title)
    clusters = graphemes(title, limit + 1)
    if len(clusters) <= limit:
        return title
    spaces = [index for index, cluster in enumerate(clusters[:limit + 1]) if cluster == " "]
    end = spaces[-1] if spaces else 0
    if end < limit // 2 or _CJK.search(title):
        end = limit
    return "".join(clusters[:end]).rstrip(" ,;:-–—|")


def meta_description(*candidates: str) -> str | None:
    """The first 140–160 character description buildable from the candidates, in order."""
    text = ""
    for candidate in candidates:
        candidate = plain_text(candidate or "")
        if not candidate or candidate in text:
            continue
        text = f"{text} {candidate}".strip()
        fitted = fit_length(text, META_MIN, META_MAX)
        if fitted:
            return fitted
    return None


# Symbols that carry a name's meaning, spelled out before slugify drops them: "C++" and "C#" must not
# both become "c" (then "C++ tips" and "C# tips" share one slug and WordPress renames the second).
_SPELLED = [(re.compile(r"(?<=\w)\+\+"), "pp"), (re.compile(r"(?<![\w#])([A-Za-z])#(?!\w)"), r"\1sharp"),
            (re.compile(r"(?<![\w.])\.NET\b", re.IGNORECASE), "dotnet")]


def make_slug(*candidates: str) -> str:
    """A URL slug from the first candidate that gives one, transliterated where possible."""
    for candidate in candidates:
        for pattern, spelled in _SPELLED:
            candidate = pattern.sub(spelled, candidate or "")
        slug = slugify(candidate or "", max_length=80, word_boundary=True)
        if slug:
            return slug
        slug = slugify(candidate or "", max_length=80, word_boundary=True, allow_unicode=True)
        if slug:
            return slug
    return "post"


class _HeadingParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in {"h2", "h3", "h4"}:
            self._current = []

    def handle_endtag(self, tag):
        if tag in {"h2", "h3", "h4"} and self._current is not None:
            text = re.sub(r"\s+", " ", "".join(self._current)).strip()
            if text:
                self.headings.append(text)
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def extract_headings(body_html: str) -> list[str]:
    """The h2–h4 texts of the body, in order."""
    parser = _HeadingParser()
    parser.feed(body_html)
    return parser.headings


def word_count(text: str) -> int:
    """Words in text; each CJK character counts as one word."""
    cjk = len(_CJK.findall(text))
    return cjk + len(_CJK.sub(" ", text).split())


def blog_json_ld(*, title: str, description: str, language: str, keywords: list[str], body_text: str) -> dict:
    """schema.org BlogPosting for the post."""
    return {"@context": "https://schema.org", "@type": "BlogPosting", "headline": cut(title, 110),
            "description": description, "inLanguage": language, "keywords": ", ".join(keywords),
            "wordCount": word_count(body_text)}


def product_json_ld(*, name: str, description: str, category: str, language: str) -> dict:
    """schema.org Product for the product page."""
    ld = {"@context": "https://schema.org", "@type": "Product", "name": name, "description": description,
          "inLanguage": language}
    if category:
        ld["category"] = category
    return ld
