"""The consistency score: stylometric distance from a profile's samples, as 0–100 with reasons."""

import math
import re
import statistics
from dataclasses import dataclass

from ..schemas import LANGUAGES as LANGUAGE_NAMES
from .analysis import Figures, Sentence, analyze, measure
from .languages import kit

CHUNK_UNITS = {"words": 80, "eojeol": 60, "chars": 160}
MIN_UNITS = {"words": 25, "eojeol": 20, "chars": 50}
Z_CAP = 4.0  # one odd word must not decide the score on its own
NULL_DELTA = 0.8  # mean |z| expected from a text in the very same style
SCALE = 2.0  # distance at which the score falls to 100/e
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass
class Difference:
    """One way a text departs from the samples: weight adds to the distance, text explains it."""

    weight: float
    text: str


def build_reference(texts: list[str], language: str) -> dict | None:
    """What scoring compares against: pooled figures and per-chunk function-word spread."""
    sentences = measure(texts, language)
    figures = analyze(texts, language, sentences)
    if figures.units < MIN_UNITS[kit(language).mode]:
        return None
    chunks = _chunks(sentences, CHUNK_UNITS[kit(language).mode])
    spread = {}
    for word in kit(language).function_words:
        rates = [chunk_markers.get(word, 0) / units for chunk_markers, units in chunks]
        spread[word] = statistics.stdev(rates) if len(rates) > 1 else 0.0
    totals = {word: rate / 1000 for word, rate in figures.function_words.items()}
    return {"language": figures.language, "figures": figures.as_dict(), "chunk_units": _mean_units(chunks),
            "rates": totals, "spread": spread}


def _chunks(sentences: list[Sentence], size: int) -> list[tuple[dict, int]]:
    chunks, markers, units = [], {}, 0
    for sentence in sentences:
        for word, count in sentence.markers.items():
            markers[word] = markers.get(word, 0) + count
        units += sentence.units
        if units >= size:
            chunks.append((markers, units))
            markers, units = {}, 0
    if units and chunks and units < size / 2:
        last_markers, last_units = chunks.pop()
        markers = {w: markers.get(w, 0) + last_markers.get(w, 0) for w in markers.keys() | last_markers.keys()}
        units += last_units
    if units:
        chunks.append((markers, units))
    return chunks


def _mean_units(chunks: list[tuple[dict, int]]) -> float:
    return statistics.fmean(units for _, units in chunks) if chunks else 0.0


def burrows_delta(reference: dict, figures: Figures) -> tuple[float, list[tuple[str, float]]]:
    """Mean |z| of function-word rates; z uses the samples' spread plus sampling noise at both sizes."""
    ref_units = reference["figures"]["units"]
    words = {w for w, rate in reference["rates"].items() if rate > 0} | set(figures.function_words)
    if not words:
        return 0.0, []
    signed = []
    for word in sorted(words):  # sorted: ties in the explanation always name words in the same order
        mean = reference["rates"].get(word, 0.0)
        observed = figures.function_words.get(word, 0.0) / 1000
        p = max(mean, 0.5 / ref_units)
        binomial = p * (1 - p)
        between = max(0.0, reference["spread"].get(word, 0.0) ** 2 - binomial / max(reference["chunk_units"], 1))
        variance = between + binomial / figures.units + binomial / ref_units
        z = (observed - mean) / math.sqrt(variance)
        signed.append((word, max(-Z_CAP, min(Z_CAP, z))))
    return statistics.fmean(abs(z) for _, z in signed), signed


def differences(reference: dict, figures: Figures, banned_words: list[str], text: str) -> list[Difference]:
    """Every measured departure from the samples beyond sampling noise, biggest first."""
    ref = reference["figures"]
    unit = "characters" if figures.unit == "characters" else "words"
    found = [
        _sentence_length(ref, figures, unit),
        _readability(ref, figures),
        _rate("addresses the reader", figures.second_person_rate, ref["second_person_rate"], figures.units, unit),
        _rate("speaks in the first person (I/we)", figures.first_person_rate, ref["first_person_rate"],
              figures.units, unit),
        _share("asks questions", figures.question_rate, ref["question_rate"], figures.sentences),
        _share("uses exclamations", figures.exclamation_rate, ref["exclamation_rate"], figures.sentences),
        _function_words(reference, figures),
        _banned(banned_words, text),
    ]
    return sorted((d for d in found if d is not None and d.weight > 0), key=lambda d: -d.weight)


def _beyond_noise(gap: float, noise: float, step: float) -> float:
    """How many steps a gap exceeds what a text of this size shows by chance."""
    return max(0.0, abs(gap) - noise) / step


def _sentence_length(ref: dict, figures: Figures, unit: str) -> Difference | None:
    if not ref["sentence_length_mean"] or not figures.sentence_length_mean:
        return None
    ratio = figures.sentence_length_mean / ref["sentence_length_mean"]
    noise = ref["sentence_length_sd"] / ref["sentence_length_mean"] / math.sqrt(figures.sentences)
    text = (f"sentences are {_times(ratio)} your samples' ({figures.sentence_length_mean:.0f} vs "
            f"{ref['sentence_length_mean']:.0f} {unit})")
    return Difference(_beyond_noise(math.log(ratio), noise, math.log(2)), text)


def _times(ratio: float) -> str:
    if ratio >= 1:
        return "twice as long as" if 1.8 <= ratio < 2.2 else f"{ratio:.1f} times as long as"
    return "half as long as" if 0.45 <= ratio < 0.55 else f"{1 / ratio:.1f} times shorter than"


def _readability(ref: dict, figures: Figures) -> Difference | None:
    if ref["readability_grade"] is None or figures.readability_grade is None:
        return None
    gap = figures.readability_grade - ref["readability_grade"]
    noise = 1.0 + 0.5 * ref["sentence_length_sd"] / math.sqrt(figures.sentences)
    return Difference(_beyond_noise(gap, noise, 4.0),
                      f"{'harder' if gap > 0 else 'easier'} to read: grade {figures.readability_grade:.0f} vs "
                      f"{ref['readability_grade']:.0f} in your samples")


def _rate(what: str, observed: float, expected: float, units: int, unit: str) -> Difference:
    step = 1.5 if unit == "characters" else 3.0
    p = max(expected, observed, 1.0) / 100
    noise = 100 * math.sqrt(p * (1 - p) / units)
    return Difference(_beyond_noise(observed - expected, noise, step),
                      f"{what} {'more' if observed > expected else 'less'} often than your samples "
                      f"({observed:.1f} vs {expected:.1f} per 100 {unit})")


def _share(what: str, observed: float, expected: float, sentences: int) -> Difference:
    verb, rest = what.split(" ", 1)
    p = min(0.5, max(expected, observed, 5.0) / 100)
    noise = 100 * math.sqrt(p * (1 - p) / sentences)
    return Difference(_beyond_noise(observed - expected, noise, 20.0),
                      f"{verb} {'more' if observed > expected else 'fewer'} {rest} "
                      f"({observed:.0f}% vs {expected:.0f}% of sentences)")


def _function_words(reference: dict, figures: Figures) -> Difference | None:
    delta, signed = burrows_delta(reference, figures)
    if not signed:
        return None
    signed.sort(key=lambda item: -abs(item[1]))
    more = [f"“{w}”" for w, z in signed[:6] if z > 2][:3]
    fewer = [f"“{w}”" for w, z in signed[:6] if z < -2][:3]
    parts = ([f"more {', '.join(more)}"] if more else []) + ([f"fewer {', '.join(fewer)}"] if fewer else [])
    detail = f": {' and '.join(parts)}" if parts else ""
    return Difference(2 * max(0.0, delta - NULL_DELTA),
                      f"small words are used differently from your samples (Delta {delta:.2f}){detail}")


def _banned(banned_words: list[str], text: str) -> Difference | None:
    lowered = text.lower()
    used = [w for w in banned_words if w.strip() and _contains(lowered, w.lower())]
    if not used:
        return None
    return Difference(min(3.0, float(len(used))), f"uses banned words: {', '.join(used[:5])}")


def _contains(text: str, word: str) -> bool:
    # CJK and Korean words have no spaces around them (Korean particles attach), so match them anywhere.
    if _CJK.search(word):
        return word in text
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def score_text(reference: dict, text: str, banned_words: list[str] = ()) -> tuple[int | None, list[str]]:
    """The 0–100 score and the two or three biggest differences in words (None if it cannot be scored)."""
    language = reference["language"]
    figures = analyze([text], language, phrases=False)
    if figures.units < MIN_UNITS[kit(language).mode]:
        return None, [f"too short to score: {figures.units} {figures.unit}, at least "
                      f"{MIN_UNITS[kit(language).mode]} needed"]
    found = differences(reference, figures, list(banned_words), text)
    distance = sum(d.weight for d in found)
    score = round(100 * math.exp(-distance / SCALE))
    return score, [d.text for d in found[:3] if d.weight >= 0.5]


def no_reference_reason(language: str) -> str:
    """Why a text in this language cannot be scored against the profile."""
    return (f"the profile has no {LANGUAGE_NAMES.get(language, language)} samples yet: add some and save "
            f"the profile to score {LANGUAGE_NAMES.get(language, language)} content")
