"""Long-form posts section by section: a schema-constrained outline, one call per section, then assembly.

After AI Puffer's content writer and julius-gpt (outline first, then one call per heading): each section
is asked with the title, the outline and the end of the previous section as context, and a word budget,
so even a small local model reaches the asked length without looping into one endless paragraph.
"""

import html
import re
import threading
from collections.abc import Callable

import nh3
from pydantic import BaseModel, Field

from . import assemble, prompts, quality, seo
from .answers import Tally, ask, call_chain
from .errors import CancelledError, InvalidOutputError
from .schemas import LENGTH_WORDS, BlogDraft, ContentData, ContentRequest
from .i18n import _

SECTION_COUNT = {"short": 3, "medium": 5, "long": 7}
# Token budget per asked word, a little above SmolLM2's tokenizer (en 1.15, de 2.43, es 2.19, fr 1.95 measured on
# the same paragraph); other tokenizers need fewer, and the text is cut to length afterwards anyway.
TOKENS_PER_WORD = {"en": 1.6, "de": 2.7, "es": 2.5, "fr": 2.3, "it": 2.5}
OTHER_TOKENS_PER_WORD = 2.5
OVERSHOOT = 1.15  # a section may run this much over its share before it is cut at a sentence end
TOP_UP_SHARE = 0.55  # a section under this share of its words gets one "go on" call (small models stop early)
PREVIOUS_CHARS = 400
MAX_HEADING_WORDS = 10
_HEADING_TEXT = r"^[^{}\[\]<>\"#_*|\\/`=@$%^~\n]{6,70}$"
_SENTENCE = re.compile(r"(?<=[.!?。！？؟])\s+")
_NOISE = re.compile(r"\b(json|heading|outline|section|blog post|title|description|placeholder)\b", re.IGNORECASE)
Progress = Callable[[str, float], None]


class OutlineAnswer(BaseModel):
    """The plan: a headline and one heading per section."""

    title: str = Field(min_length=5, max_length=120)
    outline: list[str] = Field(min_length=1, max_length=20)


class HeadingAnswer(BaseModel):
    """A heading for a section already written."""

    heading: str = Field(min_length=3, max_length=120)


def section_count(request: ContentRequest) -> int:
    """How many sections a post of the asked length gets (the user's own sections win)."""
    return len(request.sections) or SECTION_COUNT[request.length]


def _outline_schema(count: int) -> dict:
    heading = {"type": "string", "pattern": _HEADING_TEXT}
    return {"type": "object", "required": ["title", "outline"], "properties": {
        "title": {"type": "string", "pattern": _HEADING_TEXT},
        "outline": {"type": "array", "items": heading, "minItems": count, "maxItems": count}}}


def clean_heading(text: str, topic: str = "") -> str | None:
    """A heading fit to publish (numbering and markup removed), or None when it is junk."""
    text = re.sub(r"^\s*(?:\d+[.)]|[-*#•]+)\s*", "", seo.plain_text(text))
    text = re.split(r"[;:]|,?\s+\d+[.)]\s", text)[0].strip(" \"'.,:;-")  # one heading, not three crammed in
    words = text.split()
    if len(words) > MAX_HEADING_WORDS:
        return None
    if not re.fullmatch(_HEADING_TEXT, text) or _NOISE.search(text) or any(len(w) > 24 for w in words):
        return None
    if len(words) < 2 and not seo.plain_text(text)[:1].isalpha():
        return None
    return text[:1].upper() + text[1:] if text.lower() != topic.lower() else None


def plan(chain: list, request: ContentRequest, tally: Tally, extra: list[str]) -> tuple[str, list[str | None]]:
    """The title and one heading per section (None where the model gave no usable heading)."""
    count = section_count(request)
    messages = _messages("outline_system", "outline", request, extra, count=count)
    answer = ask(chain, messages, OutlineAnswer, tally, schema=_outline_schema(count))
    title = seo.plain_text(answer.title) if not seo.plain_text(answer.title).lower().startswith("plan") else ""
    if request.sections:
        return title or request.topic, list(request.sections)
    headings, seen = [], set()
    for raw in answer.outline[:count]:
        heading = clean_heading(raw, request.topic)
        headings.append(heading if heading and heading.lower() not in seen else None)
        seen.add((heading or "").lower())
    return title or request.topic, headings + [None] * (count - len(headings))


def write(chain: list, request: ContentRequest, tally: Tally, extra: list[str], *,
          on_progress: Progress | None = None, cancel: threading.Event | None = None,
          on_chunk: Callable[[str], None] | None = None) -> ContentData:
    """A finished post written section by section; raises ContentCraftError (CancelledError when cancelled).

    on_chunk, if given, hears each section's plain text as it is written (never JSON).
    """
    report = on_progress or (lambda message, fraction: None)
    report("Planning the outline…", 0.0)
    title, headings = plan(chain, request, tally, extra)
    share = LENGTH_WORDS[request.length] // len(headings)
    written: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for number, heading in enumerate(headings, start=1):
        report(f"Writing section {number} of {len(headings)}…", (number - 1) / len(headings))
        if cancel is not None and cancel.is_set():
            raise CancelledError(_("Cancelled: the post was not finished, so nothing was saved."))
        previous = " ".join(written[-1][1])[-PREVIOUS_CHARS:] if written else ""
        outline = [h or "(to be decided)" for h in headings]
        context = {"title": title, "outline": outline, "heading": heading or "the next part of the post"}
        text = section_text(chain, request, tally, extra, **context, previous=previous, words=share,
                            on_chunk=on_chunk)
        paragraphs = paragraphs_of(text, share, seen)
        paragraphs += top_up(chain, request, tally, extra, context, paragraphs, share, seen, on_chunk)
        if not paragraphs:
            continue
        heading = heading or name_section(chain, request, tally, " ".join(paragraphs))
        written.append((heading, paragraphs))
    if not written:
        raise InvalidOutputError(_("The model wrote no usable text for any section. Try again or choose a larger "
                                   "model."))
    report("Checking the post…", 1.0)
    return assemble_post(request, title, written)


def section_text(chain: list, request: ContentRequest, tally: Tally, extra: list[str], *, title: str,
                 outline: list[str], heading: str, previous: str, words: int,
                 on_chunk: Callable[[str], None] | None = None) -> str:
    """The plain text of one section, asked with a token budget of about its share of the words."""
    messages = _messages("longform_section_system", "longform_section", request, extra, title=title,
                         outline="; ".join(outline), heading=heading, words=words,
                         previous=previous or "(this is the first section)")
    return _complete(chain, messages, words, request.language, tally, on_chunk)


def _complete(chain: list, messages: list[dict], words: int, language: str, tally: Tally,
              on_chunk: Callable[[str], None] | None) -> str:
    """Plain text asked with a token budget of about `words` words in `language`."""
    per_word = TOKENS_PER_WORD.get(language, OTHER_TOKENS_PER_WORD)
    budget = min(int(words * per_word) + 40, chain[0].settings.max_tokens)
    completion = call_chain([provider.with_budget(budget) for provider in chain], messages, None, tally, on_chunk)
    tally.truncations -= completion.finish_reason == "length"  # cut at its budget by design, then at a sentence
    return completion.text


def top_up(chain: list, request: ContentRequest, tally: Tally, extra: list[str], context: dict,
           paragraphs: list[str], share: int, seen: set[str], on_chunk: Callable[[str], None] | None) -> list[str]:
    """More paragraphs for a section that stopped well short of its share (one call), else none."""
    written = seo.word_count(" ".join(paragraphs))
    if not paragraphs or written >= share * TOP_UP_SHARE:
        return []
    messages = _messages("longform_section_system", "longform_continue", request, extra, title=context["title"],
                         heading=context["heading"], so_far=" ".join(paragraphs)[-PREVIOUS_CHARS:],
                         words=share - written)
    more = _complete(chain, messages, share - written, request.language, tally, on_chunk)
    return paragraphs_of(more, share - written, seen)


def name_section(chain: list, request: ContentRequest, tally: Tally, text: str) -> str:
    """A heading for a written section: asked of the model, else its first words."""
    messages = _messages("outline_system", "section_heading", request, [], text=text[:1200])
    try:
        heading = clean_heading(ask(chain, messages, HeadingAnswer, tally, schema={
            "type": "object", "required": ["heading"],
            "properties": {"heading": {"type": "string", "pattern": _HEADING_TEXT}}}).heading, request.topic)
    except InvalidOutputError:
        heading = None
    return heading or " ".join(_SENTENCE.split(text)[0].split()[:7]).rstrip(".,;:!?")


def paragraphs_of(text: str, words: int, seen: set[str]) -> list[str]:
    """The section's paragraphs: markup and repeated sentences removed, cut near `words` at a sentence end."""
    text = html.unescape(nh3.clean(text, tags=set()))  # tags go, line breaks stay
    text = re.sub(r"(?m)^\s*(#+|[-*•]|\d+[.)])\s+", "", text)
    text = re.sub(r"[*_`#]{1,3}", "", text)
    kept, total = [], 0
    for block in re.split(r"\n\s*\n", text):
        sentences = []
        for sentence in _SENTENCE.split(" ".join(block.split())):
            key = re.sub(r"\W+", " ", sentence.lower()).strip()
            if not key or key in seen or len(key.split()) < 3 or quality.echoes_prompt(sentence):
                continue  # small models echo the instructions; one such sentence would fail the whole post
            seen.add(key)
            count = seo.word_count(sentence)
            if total and total + count > words * OVERSHOOT:
                break
            sentences.append(sentence)
            total += count
        kept.extend(_chunks(sentences))
        if total >= words:
            break
    return kept


def _chunks(sentences: list[str], size: int = 4) -> list[str]:
    return [" ".join(sentences[i:i + size]) for i in range(0, len(sentences), size)]


def assemble_post(request: ContentRequest, title: str, sections: list[tuple[str, list[str]]]) -> ContentData:
    """The ContentData for written sections, through the usual SEO post-processing."""
    body = "".join(f"<h2>{html.escape(heading)}</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
                   for heading, paragraphs in sections)
    first = " ".join(sections[0][1])
    excerpt = " ".join(_SENTENCE.split(first)[:2])[:600]
    draft = BlogDraft(title=title, excerpt=excerpt or title, outline=[heading for heading, _text in sections], body_html=body)
    return assemble.build_content(draft, request)


def _messages(system: str, template: str, request: ContentRequest, extra: list[str], **values) -> list[dict]:
    user = prompts.render(template, topic=request.topic, tone=request.tone,
                          language_instruction=prompts.language_instruction(request.language),
                          keywords=", ".join(request.keywords) or "(choose the obvious ones)",
                          extra_instructions="\n".join(extra), **values)
    return [{"role": "system", "content": prompts.render(system)}, {"role": "user", "content": user}]
