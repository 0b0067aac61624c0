"""The consistency score: same-voice verification on character n-grams, as 0–100 with reasons in words."""

import math
import re
from dataclasses import dataclass

from ..i18n import N_, _, language_name
from ..language import mismatch
from . import coherence, delta, voiceprint
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
        _rate((N_("addresses the reader more often than your samples ({observed} vs {expected} per 100 {unit})"),
               N_("addresses the reader less often than your samples ({observed} vs {expected} per 100 {unit})")),
              figures.second_person_rate, ref["second_person_rate"], figures.units, unit),
        _rate((N_("speaks in the first person (I/we) more often than your samples ({observed} vs {expected} per 100 "
                  "{unit})"),
               N_("speaks in the first person (I/we) less often than your samples ({observed} vs {expected} per 100 "
                  "{unit})")),
              figures.first_person_rate, ref["first_person_rate"], figures.units, unit),
        _share((N_("asks more questions ({observed} vs {expected} of sentences)"),
                N_("asks fewer questions ({observed} vs {expected} of sentences)")),
               figures.question_rate, ref["question_rate"], figures.sentences),
        _share((N_("uses more exclamations ({observed} vs {expected} of sentences)"),
                N_("uses fewer exclamations ({observed} vs {expected} of sentences)")),
               figures.exclamation_rate, ref["exclamation_rate"], figures.sentences),
        _banned(banned_words, text),
    ]
    return sorted((d for d in found if d is not None and d.weight > 0), key=lambda d: -d.weight)


def _beyond_noise(gap: float, noise: float, step: float) -> float:
    """How many steps a gap exceeds what a text of this size shows by chance."""
    return max(0.0, abs(gap) - noise) / step


def _unit(unit: str) -> str:
    return _("characters") if unit == "characters" else _("words")


def _sentence_length(ref: dict, figures: Figures, unit: str) -> Difference | None:
    if not ref["sentence_length_mean"] or not figures.sentence_length_mean:
        return None
    ratio = figures.sentence_length_mean / ref["sentence_length_mean"]
    noise = ref["sentence_length_sd"] / ref["sentence_length_mean"] / math.sqrt(figures.sentences)
    template = (_("sentences are {ratio} times as long as your samples' ({observed} vs {expected} {unit})")
                if ratio >= 1 else
                _("sentences are {ratio} times shorter than your samples' ({observed} vs {expected} {unit})"))
    text = template.format(ratio=f"{max(ratio, 1 / ratio):.1f}", observed=f"{figures.sentence_length_mean:.0f}",
                           expected=f"{ref['sentence_length_mean']:.0f}", unit=_unit(unit))
    return Difference(_beyond_noise(math.log(ratio), noise, math.log(2)), text)


def _readability(ref: dict, figures: Figures) -> Difference | None:
    if ref["readability_grade"] is None or figures.readability_grade is None:
        return None
    gap = figures.readability_grade - ref["readability_grade"]
    noise = 1.0 + 0.5 * ref["sentence_length_sd"] / math.sqrt(figures.sentences)
    template = (_("harder to read: grade {observed} vs {expected} in your samples") if gap > 0 else
                _("easier to read: grade {observed} vs {expected} in your samples"))
    return Difference(_beyond_noise(gap, noise, 4.0), template.format(
        observed=f"{figures.readability_grade:.0f}", expected=f"{ref['readability_grade']:.0f}"))


def _rate(templates: tuple[str, str], observed: float, expected: float, units: int, unit: str) -> Difference:
    step = 1.5 if unit == "characters" else 3.0
    p = max(expected, observed, 1.0) / 100
    noise = 100 * math.sqrt(p * (1 - p) / units)
    template = _(templates[0] if observed > expected else templates[1])
    return Difference(_beyond_noise(observed - expected, noise, step), template.format(
        observed=f"{observed:.1f}", expected=f"{expected:.1f}", unit=_unit(unit)))


def _share(templates: tuple[str, str], observed: float, expected: float, sentences: int) -> Difference:
    p = min(0.5, max(expected, observed, 5.0) / 100)
    noise = 100 * math.sqrt(p * (1 - p) / sentences)
    template = _(templates[0] if observed > expected else templates[1])
    return Difference(_beyond_noise(observed - expected, noise, 20.0),
                      template.format(observed=f"{observed:.0f}%", expected=f"{expected:.0f}%"))


def _banned(banned_words: list[str], text: str) -> Difference | None:
    lowered = text.lower()
    used = [w for w in banned_words if w.strip() and _contains(lowered, w.lower())]
    if not used:
        return None
    return Difference(min(3.0, float(len(used))), _("uses banned words: {words}").format(words=", ".join(used[:5])))


def _contains(text: str, word: str) -> bool:
    # CJK and Korean words have no spaces around them (Korean particles attach), so match them anywhere.
    if _CJK.search(word):
        return word in text
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def score_text(reference: dict, text: str, banned_words: list[str] = ()) -> tuple[int | None, list[str]]:
    """The 0–100 score and up to three reasons in words (score None, with the reason, if it cannot be scored).

    The score reads the same for every profile: a text as much closer to the samples than to the nearest other
    voices (the built-in pool) as a typical held-out chunk of the samples scores about 98, a quarter of the way
    towards those voices 84, halfway 50, and as close to them as to the samples 2 (`delta.py`).
    """
    language = reference["language"]
    mode = kit(language).mode
    print_ = reference.get("voiceprint")
    if not voiceprint.is_current(print_, language):
        return None, [_("the profile was saved before the current scorer: save it again to score with it")]
    units = voiceprint.units_of(voiceprint.clean(text), mode)
    if units < MIN_UNITS[mode]:
        return None, [_too_short(units, mode)]
    voice_z, whole, profile = voiceprint.measure(print_, text, mode, language)
    other = mismatch(text, language)
    if other is not None:  # off-voice whatever else it does; its other measures compare unlike with unlike
        return voiceprint.to_score(min(voice_z, LOOP_Z)), [_(
            "written in {found}, while the samples are in {language}: score it against a profile with {found} "
            "samples").format(found=language_name(other.language), language=language_name(language))]
    banned = _banned(list(banned_words), text)
    z = voice_z  # a banned word caps the score below a typical own passage, however close the rest is
    if banned:
        z = min(z, 0.0) - BANNED_PENALTY * banned.weight
    found = [banned] if banned else []
    if coherence.check(print_["coherence"], text, language, mode)[1]:
        z = min(z, LOOP_Z)
        found.insert(0, Difference(3.0, _("the words don't follow each other as in real sentences (shuffled or "
                                          "stuffed with keywords)")))
    repeated = voiceprint.repetition(text, mode)
    if repeated >= REPETITIVE:
        z = min(z, LOOP_Z)
        found.insert(0, Difference(3.0, _("repeats itself: {share} of its phrases occur more than once")
                                   .format(share=f"{repeated:.0%}")))
    if voice_z < -1.0:  # below the own-voice band: what the voiceprint sees first, then measured differences
        found.append(_voice(print_, whole, profile, text, mode, far=voice_z <= -0.75 * delta.OTHER_VOICE))
        found += differences(reference, analyze([text], language, phrases=False), [], text)
    return voiceprint.to_score(z), [d.text for d in found if d.weight >= 0.5][:3]


def _too_short(units: int, mode: str) -> str:
    if mode == "chars":
        return _("too short to score: {count} characters, at least {needed} needed").format(
            count=units, needed=MIN_UNITS[mode])
    return _("too short to score: {count} words, at least {needed} needed").format(count=units, needed=MIN_UNITS[mode])


def _voice(print_: dict, whole, direction, text: str, mode: str, far: bool) -> Difference:
    """What the voiceprint sees: how near the other voices the text is, and the n-grams that pull it there."""
    lead = (_("reads about as much like other kinds of writing as like your samples") if far else
            _("the wording and punctuation differ from your samples"))
    more, less = voiceprint.drivers(print_, whole, direction, text, mode)
    more, less = (", ".join(_(name) if name in _MARKS else name for name in side) for side in (more, less))
    if more and less:
        return Difference(1.0, _("{lead}: more {more}; fewer {fewer}").format(lead=lead, more=more, fewer=less))
    if more or less:
        template = _("{lead}: more {more}") if more else _("{lead}: fewer {fewer}")
        return Difference(1.0, template.format(lead=lead, more=more, fewer=less))
    return Difference(1.0, lead)


# The punctuation names voiceprint.drivers gives, marked for translation.
_MARKS = {N_("exclamation marks"), N_("question marks"), N_("semicolons"), N_("colons"), N_("commas"),
          N_("brackets"), N_("quotation marks"), N_("apostrophes"), N_("dashes"), N_("full stops")}


def no_reference_reason(language: str) -> str:
    """Why a text in this language cannot be scored against the profile."""
    name = language_name(language)
    return _("the profile has no {language} samples yet: add some and save the profile to score {language} "
             "content").format(language=name)
