"""Stylometry in code: sentences, tokens and the figures a voice is described and scored by."""

import html
import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field

import nh3
import textstat

from .languages import ABBREVIATIONS, EXCLAMATION_MARKS, QUESTION_MARKS, SENTENCE_END, LanguageKit, kit

MATTR_WINDOW = 100
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_ELIDED_WORD = re.compile(r"[^\W\d_]+'(?=[^\W\d_])|[^\W\d_]+")
_CANDIDATE_END = re.compile(r"[.!?…。！？؟]+[\"'”’»」』)\]]*")
_CLAUSE_BREAK = re.compile(r"[,;:()\"“”„«»—–、，；：「」]")
_HEADING = re.compile(r"<h[1-6]\b[^>]*>.*?</h[1-6]>", re.IGNORECASE | re.DOTALL)
_BLOCK_END = re.compile(r"<br\s*/?>|</(p|li|div|tr|blockquote|ul|ol)>", re.IGNORECASE)
_MARKDOWN = [(re.compile(r"^\s{0,3}#{1,6}\s.*$", re.MULTILINE), ""),  # headings are not prose
             (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
             (re.compile(r"[*_`~]{1,3}"), ""),
             (re.compile(r"^\s*(?:[-+*]|\d+\.)\s+", re.MULTILINE), ""),
             (re.compile(r"^\s*>\s?", re.MULTILINE), "")]


@dataclass
class Figures:
    """What analysis shows: rates are per 100 units (words, or characters in ja/zh) unless noted."""

    language: str
    unit: str
    units: int = 0
    sentences: int = 0
    sentence_length_mean: float = 0.0
    sentence_length_sd: float = 0.0
    readability_grade: float | None = None
    type_token_ratio: float = 0.0
    first_person_rate: float = 0.0
    second_person_rate: float = 0.0
    question_rate: float = 0.0  # percent of sentences
    exclamation_rate: float = 0.0  # percent of sentences
    function_words: dict[str, float] = field(default_factory=dict)  # per 1000 units
    phrases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Sentence:
    """One sentence's measurable parts."""

    text: str
    tokens: list[str]
    units: int
    markers: Counter
    first_person: int
    second_person: int


def html_to_text(value: str) -> str:
    """Prose from HTML: headings dropped, blocks on their own lines, tags removed."""
    value = _BLOCK_END.sub("\n", _HEADING.sub("\n", value))
    return html.unescape(nh3.clean(value, tags=set()))


def markdown_to_text(value: str) -> str:
    """Prose from Markdown: headings dropped, links and emphasis reduced to their words."""
    for pattern, replacement in _MARKDOWN:
        value = pattern.sub(replacement, value)
    return value


def normalise(text: str) -> str:
    """Unify apostrophes and strip Arabic diacritics so counts do not depend on typing habits."""
    return _ARABIC_MARKS.sub("", text.replace("’", "'").replace("\u00a0", " "))


def split_sentences(text: str) -> list[str]:
    """Sentences, with lines as hard boundaries and abbreviations such as "z. B." or "e.g." respected."""
    sentences = []
    for line in normalise(text).splitlines():
        start = 0
        for match in _CANDIDATE_END.finditer(line):
            end = match.end()
            if _is_boundary(line, match.start(), end):
                sentences.append(line[start:end].strip())
                start = end
        sentences.append(line[start:].strip())
    return [s for s in sentences if re.search(r"\w", s)]


def _is_boundary(line: str, start: int, end: int) -> bool:
    marks = line[start:end]
    if any(mark in "。！？؟" for mark in marks):
        return True
    rest = line[end:]
    if rest and not rest[0].isspace():
        return False
    following = rest.lstrip()[:1]
    if marks[0] != "." or not following:
        return True
    previous = re.search(r"([\w.]+)$", line[max(0, start - 24):start])  # only the word before the dot
    word = previous.group(1).lower() if previous else ""
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return not following.islower()


def tokens_of(sentence: str, language: LanguageKit) -> list[str]:
    """Lowercased words, or characters for ja/zh (plus any Latin words in them)."""
    if language.mode == "chars":
        return _CJK_CHAR.findall(sentence) + [w.lower() for w in _LATIN_WORD.findall(_CJK_CHAR.sub(" ", sentence))]
    pattern = _ELIDED_WORD if language.code in {"fr", "it"} else _LATIN_WORD
    return [w.lower() for w in pattern.findall(sentence)]


def measure_sentence(text: str, language: LanguageKit) -> Sentence:
    """Token, marker and pronoun counts of one sentence."""
    tokens = tokens_of(text, language)
    if language.mode == "chars":
        return Sentence(text, tokens, len(tokens), Counter(_find(language.function_words, text)),
                        len(_find(language.first_person, text)), len(_find(language.second_person, text)))
    if language.mode == "eojeol":
        markers = Counter(m for t in tokens for m in language.function_words if t == m or t.endswith(m))
        first = sum(t.startswith(language.first_person) for t in tokens)
        second = sum(t.startswith(language.second_person) for t in tokens)
        return Sentence(text, tokens, len(tokens), markers, first, second)
    wanted = set(language.function_words)
    markers = Counter(t for t in tokens if t in wanted)
    heads = [t.split("'")[0] if not t.endswith("'") else t for t in tokens]
    first = sum(h in language.first_person for h in heads)
    second = sum(h in language.second_person for h in heads)
    if language.formal_second_person:
        original = _LATIN_WORD.findall(text)[1:]  # sentence-initial "Sie" may mean "they"
        second += sum(w in language.formal_second_person for w in original)
    return Sentence(text, tokens, len(tokens), markers, first, second)


def _find(options: tuple[str, ...], text: str) -> list[str]:
    pattern = "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))
    return re.findall(pattern, text)


def measure(texts: list[str], language: str) -> list[Sentence]:
    """Every sentence of the texts, measured."""
    language_kit = kit(language)
    return [measure_sentence(s, language_kit) for text in texts for s in split_sentences(text)]


def analyze(texts: list[str], language: str, sentences: list[Sentence] | None = None,
            phrases: bool = True) -> Figures:
    """The figures for one or more texts in one language (phrases are skipped when only scoring)."""
    language_kit = kit(language)
    sentences = measure(texts, language) if sentences is None else sentences
    figures = Figures(language=language_kit.code, unit=language_kit.unit)
    units = sum(s.units for s in sentences)
    if not units:
        return figures
    lengths = [s.units for s in sentences]
    markers: Counter = Counter()
    for sentence in sentences:
        markers.update(sentence.markers)
    figures.units, figures.sentences = units, len(sentences)
    figures.sentence_length_mean = round(statistics.fmean(lengths), 2)
    figures.sentence_length_sd = round(statistics.pstdev(lengths), 2)
    figures.readability_grade = readability_grade(sentences) if language_kit.readability else None
    figures.type_token_ratio = round(moving_ttr([t for s in sentences for t in s.tokens]), 3)
    figures.first_person_rate = round(100 * sum(s.first_person for s in sentences) / units, 2)
    figures.second_person_rate = round(100 * sum(s.second_person for s in sentences) / units, 2)
    figures.question_rate = round(100 * sum(_ends_with(s.text, QUESTION_MARKS) for s in sentences) / len(sentences), 1)
    figures.exclamation_rate = round(100 * sum(_ends_with(s.text, EXCLAMATION_MARKS) for s in sentences)
                                     / len(sentences), 1)
    figures.function_words = {w: round(1000 * n / units, 2) for w, n in markers.most_common()}
    figures.phrases = frequent_phrases(sentences, language_kit) if phrases else []
    return figures


def _ends_with(sentence: str, marks: str) -> bool:
    stripped = sentence.rstrip("\"'”’»」』)] ")
    return bool(stripped) and stripped[-1] in marks


def readability_grade(sentences: list[Sentence]) -> float | None:
    """textstat's Automated Readability Index: character-based, so it needs no syllable dictionary."""
    prose = " ".join(s.text if s.text[-1] in SENTENCE_END else s.text + "." for s in sentences)
    prose = prose.replace("؟", "?")
    if not prose.strip():
        return None
    return round(textstat.automated_readability_index(prose), 1)


def moving_ttr(tokens: list[str], window: int = MATTR_WINDOW) -> float:
    """Type-token ratio averaged over sliding windows, so long and short texts compare fairly."""
    if not tokens:
        return 0.0
    if len(tokens) <= window:
        return len(set(tokens)) / len(tokens)
    counts = Counter(tokens[:window])
    total = len(counts)
    for position in range(window, len(tokens)):
        counts[tokens[position]] += 1
        leaving = tokens[position - window]
        counts[leaving] -= 1
        if not counts[leaving]:
            del counts[leaving]
        total += len(counts)
    return total / (len(tokens) - window + 1) / window


def frequent_phrases(sentences: list[Sentence], language: LanguageKit, limit: int = 8) -> list[str]:
    """Repeated 2–4 word (or character) phrases within a clause, starting or ending with a content word."""
    function_words = set(language.function_words)
    joiner = "" if language.mode == "chars" else " "
    counts: Counter = Counter()
    for sentence in sentences:
        for clause in _CLAUSE_BREAK.split(sentence.text):
            tokens = _CJK_CHAR.findall(clause) if language.mode == "chars" else tokens_of(clause, language)
            for size in (2, 3, 4):
                for i in range(len(tokens) - size + 1):
                    gram = tuple(tokens[i:i + size])
                    if gram[0] not in function_words or gram[-1] not in function_words:
                        counts[gram] += 1
    repeated = {gram: n for gram, n in counts.items() if n >= 2}
    subsumed = {sub for gram, n in repeated.items() for sub in _subgrams(gram) if repeated.get(sub, n + 1) <= n}
    ranked = sorted((g for g in repeated if g not in subsumed), key=lambda g: (-repeated[g] * len(g), g))
    return [joiner.join(gram) for gram in ranked[:limit]]


def _subgrams(gram: tuple) -> list[tuple]:
    return [gram[i:j] for i in range(len(gram)) for j in range(i + 2, len(gram) + 1) if j - i < len(gram)]
