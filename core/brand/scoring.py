"""The consistency score: same-voice verification on character n-grams, as 0–100 with reasons in words."""

import math
import re
from dataclasses import dataclass

from ..i18n import _
from ..schemas import LANGUAGES as LANGUAGE_NAMES
from . import voiceprint
from .analysis import Figures, analyze
from .languages import kit

# Below these lengths own and other voices overlap too much to score (measured in benchmarks/brand_score.py).
MIN_UNITS = {"words": 100, "eojeol": 80, "chars": 200}
REPETITIVE = 0.5  # share of repeated 4-grams above which a text is a loop or a list (edited prose stays < 0.45)
LOOP_Z = -3.5  # where a repetitive text is placed at most: score 7
BANNED_PENALTY = 1.0  # own-passage spreads below typical per banned word used (at most three)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass
class Difference:
    """One way a text departs from the samples: weight orders the explanation, text says it in words."""

    weight: float
    text: str


def build_reference(texts: list[str], language: str) -> dict | None:
    """What scoring compares against: the samples' figures and voiceprint (None if the samples are too few)."""
    mode = kit(language).mode
    figures = analyze(texts, language)
    built = voiceprint.build(texts, language, mode)
    if built is None or not figures.units:
        return None
    return {"language": figures.language, "figures": figures.as_dict(), "voiceprint": built}


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
    """The 0–100 score and up to three reasons in words (score None, with the reason, if it cannot be scored).

    The score reads the same for every profile: a typical passage of the samples' own voice scores about 98,
    one as far off as the least typical sixth of own passages 84, and 50 or less is unlike the samples.
    """
    language = reference["language"]
    mode = kit(language).mode
    if reference.get("voiceprint", {}).get("method") != voiceprint.METHOD:
        return None, [_("the profile was saved before the current scorer: save it again to score with it")]
    units = voiceprint.units_of(voiceprint.clean(text), mode)
    unit = "characters" if mode == "chars" else "words"
    if units < MIN_UNITS[mode]:
        return None, [f"too short to score: {units} {unit}, at least {MIN_UNITS[mode]} needed"]
    print_ = reference["voiceprint"]
    voice_z, whole, profile = voiceprint.measure(print_, text, mode)
    banned = _banned(list(banned_words), text)
    z = voice_z  # a banned word caps the score below a typical own passage, however close the rest is
    if banned:
        z = min(z, 0.0) - BANNED_PENALTY * banned.weight
    found = [banned] if banned else []
    repeated = voiceprint.repetition(text, mode)
    if repeated >= REPETITIVE:
        z = min(z, LOOP_Z)
        found.insert(0, Difference(3.0, f"repeats itself: {repeated:.0%} of its phrases occur more than once"))
    if voice_z < -1.0:  # below the own-voice band: what the voiceprint sees first, then measured differences
        found.append(_voice(print_, whole, profile, text, mode))
        found += differences(reference, analyze([text], language, phrases=False), [], text)
    return voiceprint.to_score(z), [d.text for d in found if d.weight >= 0.5][:3]


def _voice(print_: dict, whole, profile, text: str, mode: str) -> Difference:
    more, less = voiceprint.drivers(print_, whole, profile, text, mode)
    parts = ([f"more {', '.join(more)}"] if more else []) + ([f"fewer {', '.join(less)}"] if less else [])
    detail = f": {'; '.join(parts)}" if parts else ""
    return Difference(1.0, f"the wording and punctuation differ from your samples{detail}")


def no_reference_reason(language: str) -> str:
    """Why a text in this language cannot be scored against the profile."""
    return (f"the profile has no {LANGUAGE_NAMES.get(language, language)} samples yet: add some and save "
            f"the profile to score {LANGUAGE_NAMES.get(language, language)} content")
