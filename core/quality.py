"""The quality gate every generated result passes, the same for the Studio, bulk, the API and the CLI."""

import functools
import re
from dataclasses import dataclass, field

from . import language, prompts, seo
from .i18n import N_, _, language_name, use_language
from .schemas import LANGUAGES, LENGTH_WORDS, ContentData, ContentRequest, ProductData

MIN_BODY_SHARE = 0.5  # a body under half the asked words is not the post that was asked for
MIN_HEADINGS = {"short": 0, "medium": 3, "long": 3}
MIN_DISTINCT_4GRAMS = 0.5  # below this the text loops (distinct-n, Li et al. 2016, "A Diversity-Promoting Objective")
ECHO_NGRAM = 5
_PLACEHOLDER = re.compile(
    r"\[[^\]\n]{0,40}(?:_|\b(?:insert|your|name|topic|keyword|placeholder|company|brand|link|url)\b)[^\]\n]{0,40}\]"
    r"|\blorem ipsum\b|(?-i:\bTODO\b|\bTBD\b|\bXXX\b)|\{\{[^}]*\}\}|<insert\b", re.IGNORECASE)  # "todo" is Spanish
_FRAGMENT = re.compile(r"[{}<>]|[\"']\w+[\"']\s*:|\b(?:body_html|meta_desc|seo_title|short_description|"
                       r"description_html|bullet_features)\b")
_WORD = re.compile(r"\w+")
LENGTH_NAMES = (N_("short"), N_("medium"), N_("long"))  # the request lengths, as messages say them


@dataclass(frozen=True)
class Problem:
    """One reason a result needs review: a short code, and a message for the user in the current language.

    `text` is the English message (marked with N_) with {placeholders} from `params`; a "label" param is a
    field name marked with N_ and "length" a request length (LENGTH_NAMES), both translated too; "found" and
    "asked" are language codes, said by name.
    """

    code: str
    text: str
    params: dict = field(default_factory=dict, compare=False)

    @property
    def message(self) -> str:
        params = {name: _(value) if name in {"label", "length"} else language_name(value) if name in {"found", "asked"}
                  else value for name, value in self.params.items()}
        return _(self.text).format(**params)


@dataclass
class Verdict:
    """The gate's findings for one result, and the language it was detected in (None if too short)."""

    problems: list[Problem] = field(default_factory=list)
    detected_language: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return [problem.message for problem in self.problems]


@functools.cache
def _prompt_ngrams() -> frozenset[tuple[str, ...]]:
    """Every 5-word run of our prompts' fixed wording: a field containing one echoes the prompt."""
    grams = set()
    for path in sorted(prompts.PROMPTS_DIR.glob("*.txt")):
        text = re.sub(r"\$\{?\w+\}?", " | ", path.read_text(encoding="utf-8"))
        for chunk in text.split("|"):
            words = _WORD.findall(chunk.lower())
            grams.update(tuple(words[i:i + ECHO_NGRAM]) for i in range(len(words) - ECHO_NGRAM + 1))
    return frozenset(grams)


def echoes_prompt(text: str) -> bool:
    """True when text repeats five or more consecutive words of one of our prompts."""
    words = _WORD.findall(text.lower())
    grams = _prompt_ngrams()
    return any(tuple(words[i:i + ECHO_NGRAM]) in grams for i in range(len(words) - ECHO_NGRAM + 1))


def distinct_ngram_ratio(text: str, n: int = 4) -> float:
    """Distinct word n-grams over all n-grams of text (1.0 for texts shorter than n words)."""
    words = _WORD.findall(text.lower())
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 1.0


def _fields(data: ContentData | ProductData) -> tuple[dict[str, str], dict[str, str]]:
    """(plain-text fields, HTML fields) by label."""
    if isinstance(data, ContentData):
        plain = {N_("title"): data.title, N_("excerpt"): data.excerpt, N_("SEO title"): data.meta.seo_title,
                 N_("meta description"): data.meta.meta_desc, N_("outline"): " · ".join(data.outline),
                 N_("list of headings"): " · ".join(data.headings)}
        return plain, {N_("body"): data.body_html}
    plain = {N_("title"): data.title, N_("short description"): data.short_description,
             N_("SEO title"): data.meta.seo_title, N_("meta description"): data.meta.meta_desc,
             N_("list of feature bullets"): " · ".join(data.bullet_features), N_("image alt text"): data.image_alt_text}
    return plain, {N_("long description"): data.description_html}


def _text_problems(plain: dict[str, str], html_texts: dict[str, str]) -> list[Problem]:
    found = []
    for label, value in plain.items():
        if not value.strip():
            found.append(Problem("empty", N_("The {label} is empty."), {"label": label}))
        elif _PLACEHOLDER.search(value):
            found.append(Problem("placeholder", N_("The {label} contains a placeholder (“{placeholder}”)."),
                                 {"label": label, "placeholder": _PLACEHOLDER.search(value).group(0)}))
        elif _FRAGMENT.search(value):
            found.append(Problem("fragment", N_("The {label} contains JSON or markup fragments."), {"label": label}))
        elif echoes_prompt(value):
            found.append(Problem("echo", N_("The {label} repeats the instructions instead of answering them."),
                                 {"label": label}))
    for label, text in html_texts.items():
        if not text:
            found.append(Problem("empty", N_("The {label} is empty."), {"label": label}))
        elif match := _PLACEHOLDER.search(text):
            found.append(Problem("placeholder", N_("The {label} contains a placeholder (“{placeholder}”)."),
                                 {"label": label, "placeholder": match.group(0)}))
        elif re.search(r"[{}]|</?[a-zA-Z]+[\s>/=]|[\"']\w+[\"']\s*:", text):
            found.append(Problem("fragment", N_("The {label} contains JSON or markup fragments."), {"label": label}))
        elif echoes_prompt(text):
            found.append(Problem("echo", N_("The {label} repeats the instructions instead of answering them."),
                                 {"label": label}))
        elif distinct_ngram_ratio(text) < MIN_DISTINCT_4GRAMS:
            found.append(Problem("repetition", N_("The {label} repeats itself."), {"label": label}))
    return found


def _length_problems(data: ContentData, request: ContentRequest, body_text: str) -> list[Problem]:
    found = []
    target, words = LENGTH_WORDS[request.length], seo.word_count(body_text)
    if words < target * MIN_BODY_SHARE:
        found.append(Problem("short", N_("The body has {words} words; about {target} were asked."),
                             {"words": words, "target": target}))
    wanted = MIN_HEADINGS[request.length]
    if len(data.headings) < wanted:
        found.append(Problem("headings", N_("The body has {count} headings; a {length} post needs at least {wanted}."),
                             {"count": len(data.headings), "length": request.length, "wanted": wanted}))
    return found


def check(data: ContentData | ProductData, request) -> Verdict:
    """Every problem the gate finds in a result for request; an empty list means it passes."""
    plain, html_fields = _fields(data)
    html_texts = {label: seo.plain_text(value) for label, value in html_fields.items()}
    problems = _text_problems(plain, html_texts)
    if isinstance(data, ContentData) and isinstance(request, ContentRequest):
        problems += _length_problems(data, request, html_texts[N_("body")])
    text = " ".join([data.title, *html_texts.values()])
    found = language.detect(text)
    if found and found.language != request.language and found.confidence >= language.MIN_CONFIDENCE:
        problems.append(Problem("language", language.MISMATCH,
                                {"found": found.language, "asked": request.language}))
    return Verdict(problems, found.language if found else None)


def retry_instruction(verdict: Verdict, language_code: str) -> str:
    """The firmer instruction added to the prompt for the one retry (in English, the language of our prompts)."""
    with use_language("en"):
        lines = ["Your previous answer was rejected: " + " ".join(verdict.messages) + " Fix every one of these."]
    if any(problem.code == "language" for problem in verdict.problems):
        name = LANGUAGES[language_code]
        lines.append(f"Write ONLY in {name}: the title, every heading and every sentence must be in {name}. "
                     f"Do not write in any other language.")
    if any(problem.code in {"placeholder", "echo", "fragment"} for problem in verdict.problems):
        lines.append("Write finished text: no placeholders in brackets, no JSON or HTML inside plain-text fields, "
                     "and never repeat these instructions.")
    return "\n".join(lines)
