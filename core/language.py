"""Which language a text is written in (py3langid), and which models are known to be weak in a language.

py3langid is the maintained fork of langid.py (Lui & Baldwin, "langid.py: An Off-the-shelf Language
Identification Tool", ACL 2012): a naive Bayes model over byte n-grams, shipped inside the 4.5 MB wheel,
numpy its only dependency, about 0.2 ms per post once loaded. We restrict it to our ten languages.
"""

import fnmatch
import functools
import threading
import tomllib
from dataclasses import dataclass

from .config import DATA_DIR
from .i18n import N_, _, language_name
from .schemas import LANGUAGES

MIN_CONFIDENCE = 0.9  # below this the text is too short or too mixed to call it wrong
MIN_LETTERS = 40  # a few words say nothing reliable about their language
SAMPLE_CHARS = 2000  # the identifier reads this much: a post's language shows in it, and long posts cost no more
_lock = threading.Lock()


@dataclass(frozen=True)
class Detection:
    """The language a text is in (an ISO 639-1 code of LANGUAGES) and the model's probability for it."""

    language: str
    confidence: float


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def load() -> None:
    """Load the identifier's model now (about half a second) rather than on the first detect()."""
    with _lock:
        _identifier()


def detect(text: str) -> Detection | None:
    """The language of text (its first SAMPLE_CHARS characters), or None when it is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    with _lock:  # the identifier keeps per-call scratch state
        language, confidence = _identifier().classify(sample)
    return Detection(language, float(confidence))


def mismatch(text: str, asked: str) -> Detection | None:
    """The detected language when text is confidently not in the asked language, else None."""
    found = detect(text)
    if found is None or found.language == asked or found.confidence < MIN_CONFIDENCE:
        return None
    return found


MISMATCH = N_("Written in {found}, {asked} was asked.")


def mismatch_warning(found: str, asked: str) -> str:
    """The warning shown with a result written in the wrong language."""
    return _(MISMATCH).format(found=language_name(found), asked=language_name(asked))


@functools.cache
def _model_languages() -> dict[str, list[str]]:
    table = tomllib.loads((DATA_DIR / "model_languages.toml").read_text(encoding="utf-8"))
    return {pattern.lower(): languages for pattern, languages in table["models"].items()}


def weak_language_note(model: str | None, language: str) -> str | None:
    """A note when `model` is known to write `language` poorly (data/model_languages.toml), else None."""
    name = (model or "").lower()
    for pattern, strong in _model_languages().items():
        if fnmatch.fnmatch(name, pattern) and language not in strong:
            known = ", ".join(language_name(code) for code in strong)
            return _("The model {model} writes well only in {known}; expect {language} results to need review, or "
                     "choose a larger model for this language.").format(model=model, known=known,
                                                                         language=language_name(language))
    return None
