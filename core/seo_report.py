"""The SEO panel's figures: meta lengths, keyword placement and density, readability, length vs target."""

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from textstat.backend import metrics
from textstat.backend.selections import list_words
from textstat.backend.utils import get_lang_cfg, get_pyphen

from . import seo
from .schemas import LENGTH_WORDS
from .text import grapheme_len
from .i18n import N_, _

DENSITY_RANGE = (0.5, 3.0)  # percent; Yoast's long-standing advice for a focus keyphrase
LENGTH_TOLERANCE = 0.2  # within 20 % of the requested word count counts as on target
FLESCH_LANGUAGES = {"en": "Flesch reading ease", "de": "Flesch–Amstad", "es": "Fernández Huerta",
                    "fr": "Flesch (Kandel–Moles)", "it": "Flesch–Vacca"}
_FLESCH_BANDS = ((90, N_("very easy")), (80, N_("easy")), (70, N_("fairly easy")), (60, N_("plain")),
                 (50, N_("fairly difficult")), (30, N_("difficult")))
_NO_SPACES = {"ja", "zh"}  # keywords sit inside running text: match anywhere
_SENTENCE_SPLIT = re.compile(r"[.!?…。！？؟]+")
# The panel reruns on every keystroke: beyond this a field is checked by its start only.
MAX_FIELD_CHARS = 200_000
_BLOCK_EDGE = re.compile(r"</?(p|h[1-6]|li|ul|ol|div|blockquote|pre|table|tr|td|th|figure|figcaption|br|hr)\b[^>]*>",
                         re.IGNORECASE)
# Persian text often mixes Arabic and Persian forms of yeh and kaf; treat them as one letter.
_ARABIC_VARIANTS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": " "})


@dataclass
class LengthCheck:
    """A character count against the range search engines show in full."""

    length: int
    low: int
    high: int

    @property
    def ok(self) -> bool:
        return self.low <= self.length <= self.high

    @property
    def verdict(self) -> str:
        if self.length == 0:
            return N_("missing")
        return N_("too short") if self.length < self.low else N_("too long") if self.length > self.high else N_("good")


@dataclass
class KeywordCheck:
    """Where a keyword appears and how often."""

    keyword: str
    in_title: bool
    in_first_paragraph: bool
    in_headings: bool
    count: int
    density: float  # percent of the body's words

    @property
    def density_verdict(self) -> str:
        low, high = DENSITY_RANGE
        return N_("too low") if self.density < low else N_("too high") if self.density > high else N_("good")


@dataclass
class Readability:
    """A readability score where a formula exists for the language, and sentence length everywhere."""

    score: float | None
    formula: str
    label: str
    words_per_sentence: float
    note: str = ""


@dataclass
class WordTarget:
    """The body's word count against the requested length."""

    words: int
    target: int | None

    @property
    def ratio(self) -> float | None:
        return self.words / self.target if self.target else None

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return N_("no target")
        if self.ratio < 1 - LENGTH_TOLERANCE:
            return N_("too short")
        return N_("too long") if self.ratio > 1 + LENGTH_TOLERANCE else N_("on target")


@dataclass
class SeoReport:
    """Everything the SEO panel shows for one piece of content."""

    seo_title: LengthCheck
    meta_desc: LengthCheck
    keywords: list[KeywordCheck]
    readability: Readability
    length: WordTarget
    language: str = "en"

    def problems(self) -> list[str]:
        """Plain sentences for each check that failed, most important first."""
        found = []
        if not self.seo_title.ok:
            found.append(_("SEO title is {verdict} ({length}/{high}).")
                         .format(verdict=_(self.seo_title.verdict), length=self.seo_title.length,
                                 high=self.seo_title.high))
        if not self.meta_desc.ok:
            found.append(_("Meta description is {verdict} ({length} characters; aim for {low}–{high}).")
                         .format(verdict=_(self.meta_desc.verdict), length=self.meta_desc.length,
                                 low=self.meta_desc.low, high=self.meta_desc.high))
        for check in self.keywords:
            missing = [place for place, present in (("the title", check.in_title),
                                                    ("the first paragraph", check.in_first_paragraph),
                                                    ("a heading", check.in_headings)) if not present]
            if missing:
                found.append(_("“{keyword}” is missing from {missing}.")
                             .format(keyword=check.keyword, missing=', '.join(missing)))
            if check.density_verdict != "good":
                found.append(_("“{keyword}” density is {density_verdict} ({density:.1f} %).")
                             .format(keyword=check.keyword, density_verdict=_(check.density_verdict),
                                     density=check.density))
        if self.length.verdict in {"too short", "too long"}:
            found.append(_("The body is {verdict}: {words} of {target} words.")
                         .format(verdict=_(self.length.verdict), words=self.length.words, target=self.length.target))
        return found


def normalise(text: str) -> str:
    """Text folded for keyword matching: Unicode-normalised, case-folded, Arabic-script variants unified."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_VARIANTS)).strip()


def count_keyword(keyword: str, text: str, language: str) -> int:
    """How often keyword occurs in text as a whole word (anywhere in the text for Chinese and Japanese)."""
    words = normalise(keyword).split()
    if not words:
        return 0
    phrase = r"\s+".join(re.escape(word) for word in words)
    if language not in _NO_SPACES:
        # Korean attaches particles to the end of a word, so only the start must be a boundary there.
        phrase = r"(?<!\w)" + phrase + ("" if language == "ko" else r"(?!\w)")
    return len(re.findall(phrase, normalise(text)))


def blocks(body_html: str) -> list[str]:
    """The plain text of each paragraph, heading and list item, in order."""
    return [text for part in _BLOCK_EDGE.split(body_html)[::2] if (text := seo.plain_text(part))]


def body_text(body_html: str) -> str:
    """The body's words with a space between blocks (so "</h2><p>" does not glue two words together)."""
    return " ".join(blocks(body_html))


def prose(body_html: str) -> str:
    """The body as sentences: a heading or list item without a full stop still ends its sentence."""
    return " ".join(text if text[-1] in ".!?…。！？؟:;" else text + "." for text in blocks(body_html))


class _FirstParagraph(HTMLParser):
    """Text of the first non-empty <p>, in one linear pass (a regex per <p> was quadratic on unclosed ones)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if self.text:
            return
        if tag == "p":
            self._finish()
            self.parts = []
        elif self.parts is not None:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "p":
            self._finish()
        elif self.parts is not None:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.parts is not None and not self.text:
            self.parts.append(data)

    def _finish(self):
        if self.parts is not None and not self.text:
            self.text = re.sub(r"\s+", " ", "".join(self.parts)).strip()
        self.parts = None


def first_paragraph(body_html: str) -> str:
    """The plain text of the body's first paragraph (the opening words when it has no <p>)."""
    parser = _FirstParagraph()
    parser.feed(body_html[:MAX_FIELD_CHARS])
    parser.close()
    parser._finish()
    if parser.text:
        return parser.text
    return " ".join(body_text(re.split(r"<h[2-6]\b", body_html, maxsplit=1)[0]).split()[:60])


def keyword_check(keyword: str, *, title: str, body_html: str, headings: list[str], language: str) -> KeywordCheck:
    """Presence of keyword in the title, first paragraph and headings, and its density in the body."""
    text = body_text(body_html)
    count, words = count_keyword(keyword, text, language), count_words(text, language)
    return KeywordCheck(
        keyword=keyword, in_title=count_keyword(keyword, title, language) > 0,
        in_first_paragraph=count_keyword(keyword, first_paragraph(body_html), language) > 0,
        in_headings=any(count_keyword(keyword, heading, language) for heading in headings),
        count=count, density=round(100 * count / words, 2) if words else 0.0)


def count_words(text: str, language: str) -> int:
    """Words in text: characters for Chinese and Japanese, space-separated words elsewhere (Korean too)."""
    return seo.word_count(text) if language in _NO_SPACES else len(text.split())


def sentences(text: str) -> list[str]:
    """Sentences split at . ! ? … and their CJK and Arabic-script forms."""
    return [part.strip() for part in _SENTENCE_SPLIT.split(text) if part.strip()]


def words_per_sentence(text: str, language: str) -> float:
    """Average words per sentence (characters for Chinese and Japanese)."""
    parts = sentences(text)
    return round(sum(count_words(part, language) for part in parts) / len(parts), 1) if parts else 0.0


def flesch_label(score: float) -> str:
    """The usual reading-ease band for a 0–100 style score."""
    return _(next((label for floor, label in _FLESCH_BANDS if score >= floor), N_("very difficult")))


def flesch_reading_ease(text: str, language: str) -> float:
    """Flesch reading ease with textstat's per-language constants.

    textstat counts English syllables with NLTK's CMU dictionary, which it downloads on first use; we stay
    offline and use the same pyphen hyphenation textstat falls back to for words outside that dictionary.
    """
    if language != "en":
        return round(metrics.flesch_reading_ease(text, language), 1)
    words = list_words(text, lowercase=True)
    if not words:
        return 0.0
    hyphenator = get_pyphen("en")
    syllables = sum(len(hyphenator.positions(word)) + 1 for word in words) / len(words)
    sentence_length = metrics.words_per_sentence(text)
    score = (get_lang_cfg("en", "fre_base") - get_lang_cfg("en", "fre_sentence_length") * sentence_length
             - get_lang_cfg("en", "fre_syll_per_word") * syllables)
    return round(score, 1)


def readability(text: str, language: str) -> Readability:
    """The language's readability formula where textstat has one; sentence length alone otherwise."""
    per_sentence = words_per_sentence(text, language)
    if not seo.plain_text(text):
        return Readability(None, "", _("no text"), 0.0, _("There is no text to measure yet."))
    if language in FLESCH_LANGUAGES:
        score = flesch_reading_ease(text, language)
        return Readability(score, FLESCH_LANGUAGES[language], flesch_label(score), per_sentence)
    if language == "ar":
        score = round(metrics.osman(text), 1)
        return Readability(score, "Osman", flesch_label(score), per_sentence)
    note = (_("No readability formula exists for this language; judge by sentence length ({count} characters per "
              "sentence).") if language in _NO_SPACES else
            _("No readability formula exists for this language; judge by sentence length ({count} words per "
              "sentence)."))
    return Readability(None, "", _("not scored"), per_sentence, note.format(count=per_sentence))


def word_target(body_html: str, length: str | None, language: str = "en") -> WordTarget:
    """The body's word count against LENGTH_WORDS for the requested length (no target without one)."""
    return WordTarget(count_words(body_text(body_html), language), LENGTH_WORDS.get(length) if length else None)


def build_report(*, title: str, seo_title: str, meta_desc: str, body_html: str, headings: list[str] | None = None,
                 keywords: list[str], language: str, length: str | None = None) -> SeoReport:
    """The full SEO report for a post or product page."""
    title, seo_title, meta_desc = title[:MAX_FIELD_CHARS], seo_title[:MAX_FIELD_CHARS], meta_desc[:MAX_FIELD_CHARS]
    body_html = seo.sanitize_html(body_html[:MAX_FIELD_CHARS])
    keywords = [keyword[:200] for keyword in keywords]
    headings = seo.extract_headings(body_html) if headings is None else headings
    return SeoReport(
        seo_title=LengthCheck(grapheme_len(seo_title.strip()), 1, seo.SEO_TITLE_MAX),
        meta_desc=LengthCheck(grapheme_len(meta_desc.strip()), seo.META_MIN, seo.META_MAX),
        keywords=[keyword_check(k, title=title, body_html=body_html, headings=headings, language=language)
                  for k in keywords if k.strip()],
        readability=readability(prose(body_html), language),
        length=word_target(body_html, length, language), language=language)
