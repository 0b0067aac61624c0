"""Same-voice verification: impostor-margin Cosine Delta on character n-grams, calibrated on held-out samples.

The measure (`delta.py`) is how much closer a text is to the samples than to the nearest voices of a built-in
pool per language (`data/brand_pool`: news, contracts, blogs, product copy, fiction, generic marketing prose,
and what the embedded model writes for generic prompts …),
the impostors method of Koppel & Winter 2014 on Cosine Delta (Smith & Aldridge 2011, Evert et al. 2017). It is
calibrated on held-out folds of the samples per window size, so a standard score counts own-passage spreads
above or below a typical own passage. Characters need no word splitting, so ja/zh work as well as en.
It is measured on the text as written and with topic words masked (text distortion, Stamatatos 2017,
`distortion.py`, as character and as token n-grams), so a text on the samples' subjects in another voice is not
taken for the samples; the standard score is a weighted mean of the views (VIEWS).
"""

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist

import numpy as np

from . import coherence, delta, distortion
from .analysis import normalise

METHOD = "impostors-5"  # stored with each voiceprint; a profile built by another method is rebuilt from its samples
WINDOW = {"words": 150, "eojeol": 120, "chars": 300}  # units per window a text is measured in
SMALLEST_WINDOW = {"words": 35, "eojeol": 30, "chars": 70}  # when samples are few, windows shrink to this
MIN_CHUNKS = 4  # held-out chunks needed to calibrate
# Weights of the topic-masked views in the standard score (the text as written has the rest): character n-grams
# and token n-grams ("function word + masked word" sequences) of the masked text. Two manuals on the same commands
# share topic n-grams the pool lacks, so as written they look alike; masked they differ. More weight blurred
# voices whose topic words are their voice (a satirical dictionary against Shakespeare), benchmarks/brand_score.py.
VIEWS = {"chars": 0.2, "tokens": 0.2}
TOKENS = r"[^\s\w*^#']|[\w*^#']+"  # a word or mask (with its apostrophes), or one mark
OFFSET = 2.0  # a typical own passage sits this many spreads above the 50 mark
POOL = Path(__file__).resolve().parents[2] / "data" / "brand_pool"
_CJK_OR_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=16)
def pool_passages(language: str) -> tuple[str, ...]:
    """The built-in passages of other voices in a language (English if it has none): written ones, then model prose."""
    if not (POOL / f"{language}.txt").exists():
        language = "en"
    found = []
    for path in (POOL / f"{language}.txt", POOL / "model" / f"{language}.txt"):
        if path.exists():
            found += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return tuple(found)


def pool_key(language: str) -> str:
    """A digest of the language's pool: a voiceprint built against another pool is out of date."""
    return hashlib.sha256("\n\n".join(pool_passages(language)).encode()).hexdigest()[:16]


def is_current(voiceprint_: dict | None, language: str) -> bool:
    """Whether a stored voiceprint was built by this scorer against this pool."""
    return bool(voiceprint_) and voiceprint_.get("method") == METHOD and voiceprint_.get("pool") == pool_key(language)


def clean(text: str) -> str:
    """Text as n-grams see it: unified apostrophes, one space between words."""
    return _CJK_OR_SPACE.sub(" ", normalise(text)).strip()


def units_of(text: str, mode: str) -> int:
    """Words (or Korean eojeol) split by spaces, or non-space characters for ja/zh."""
    return len(text.replace(" ", "")) if mode == "chars" else len(text.split())


def windows(text: str, mode: str, size: int) -> list[str]:
    """Windows of exactly size units, evenly spaced to cover the text (the whole text if it is shorter)."""
    pieces = list(text) if mode == "chars" else text.split(" ")
    joiner = "" if mode == "chars" else " "
    if len(pieces) <= size:
        return [joiner.join(pieces)]
    starts = np.linspace(0, len(pieces) - size, -(-len(pieces) // size)).round().astype(int)
    return [joiner.join(pieces[start:start + size]) for start in starts]


def parts(text: str, mode: str, count: int) -> list[str]:
    """The text cut into count nearly equal, non-overlapping pieces."""
    pieces = list(text) if mode == "chars" else text.split(" ")
    bounds = np.linspace(0, len(pieces), max(1, count) + 1).round().astype(int)
    joiner = "" if mode == "chars" else " "
    return [joiner.join(pieces[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def impostors(language: str, text: str) -> list[int]:
    """Indices of the pool passages that are not part of the samples themselves."""
    return [i for i, passage in enumerate(pool_passages(language)) if clean(passage) not in text]


def build(texts: list[str], language: str, mode: str) -> dict | None:
    """The voiceprint of the samples: n-grams, profile and calibration per window size (None if too few)."""
    text = clean("\n".join(texts))
    units = units_of(text, mode)
    sizes = [size for size in (WINDOW[mode], 2 * WINDOW[mode], 4 * WINDOW[mode]) if units // MIN_CHUNKS >= size]
    sizes = sizes or [units // MIN_CHUNKS] if units // MIN_CHUNKS >= SMALLEST_WINDOW[mode] else []
    used = impostors(language, text)
    if not sizes or not used:
        return None
    pool = [clean(pool_passages(language)[i]) for i in used]
    chunks = {size: parts(text, mode, units // size) for size in sizes}
    built = delta.build(text, pool, chunks)
    kept = distortion.kept(pool + [text], language)
    mask = _masked(kept, mode)
    masked = {"kept": kept, **{view: delta.build(mask(text), [mask(p) for p in pool], {
        size: [mask(c) for c in found] for size, found in chunks.items()}, _tokens(view, mode)) for view in VIEWS}}
    grams = [built["ngrams"]] + [masked[view]["ngrams"] for view in VIEWS]
    key = hashlib.sha256(repr((grams, used, pool_key(language))).encode()).hexdigest()[:16]
    return {"method": METHOD, "pool": pool_key(language), "impostors": used, "key": key,
            "words": _top_words(text, mode), "coherence": coherence.build(text, language, mode), **built,
            "masked": masked}


def _tokens(view: str, mode: str) -> str | None:
    """How a view splits a masked text: None for character n-grams, else the token pattern (ja/zh: characters)."""
    return None if view == "chars" else r"\S" if mode == "chars" else TOKENS


def _masked(kept: list[str], mode: str):
    """The text with topic words masked (`distortion.distort`), as a function of the text."""
    words = set(kept)
    return lambda text: distortion.distort(text, words, mode)


def _top_words(text: str, mode: str, limit: int = 400) -> list[str]:
    """The samples' most frequent words, to name the n-grams an explanation points at."""
    if mode == "chars":
        return []
    found: dict[str, int] = {}
    for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower()):
        found[word] = found.get(word, 0) + 1
    return sorted(found, key=lambda w: -found[w])[:limit]


_LOADED: dict[str, tuple] = {}


def _load(voiceprint_: dict, language: str, mode: str) -> tuple:
    """The masking, and per view (as written, then masked) its vectorizer and the impostors' Hellinger rows."""
    key = voiceprint_["key"]
    if key not in _LOADED:
        if len(_LOADED) >= 32:
            _LOADED.clear()
        pool = [clean(pool_passages(language)[i]) for i in voiceprint_["impostors"]]
        masked = voiceprint_["masked"]
        mask = _masked(masked["kept"], mode)
        _LOADED[key] = mask, _view(voiceprint_["ngrams"], pool, None), *(
            _view(masked[view]["ngrams"], [mask(p) for p in pool], _tokens(view, mode)) for view in VIEWS)
    return _LOADED[key]


def _view(ngrams: list[str], pool: list[str], tokens: str | None) -> tuple:
    fitted = delta.vectorizer(ngrams, tokens)
    return fitted, delta.hellinger(fitted.transform(pool).toarray())


def window_for(voiceprint_: dict, units: int) -> int:
    """The largest calibrated window that fits the text (the smallest if none does)."""
    sizes = sorted(int(size) for size in voiceprint_["calibration"])
    return max([size for size in sizes if size <= units] or sizes[:1])


def measure(voiceprint_: dict, text: str, mode: str, language: str) -> tuple[float, np.ndarray, np.ndarray]:
    """Standard score of the text against the profile, and the Cosine Delta z-scores of text and profile per n-gram.

    The standard score (the views weighted; as written only when the samples are too few for full windows; z-scores
    as written, to name n-grams) counts own-passage spreads
    above (+) or below (−) a typical own passage of that length; a text as close to the nearest pool voices as
    to the samples is at least `delta.OTHER_VOICE` spreads below.
    """
    mask, (fitted, voices), *views = _load(voiceprint_, language, mode)
    text = clean(text)
    size = window_for(voiceprint_, units_of(text, mode))
    chunks = windows(text, mode, size)
    as_written, whole, direction = delta.measure(voiceprint_, voices, fitted, text, chunks, size)
    if str(WINDOW[mode]) not in voiceprint_["calibration"]:  # few samples: masked views overshoot (own z 5–6, tests)
        return as_written, whole, direction
    masked = [mask(chunk) for chunk in chunks]
    found = (1 - sum(VIEWS.values())) * as_written
    for (view, weight), (fitted_view, voices_view) in zip(VIEWS.items(), views):
        found += weight * delta.standard(voiceprint_["masked"][view], voices_view, fitted_view, masked, size)
    return found, whole, direction


def repetition(text: str, mode: str) -> float:
    """Share of the text's word 4-grams (character 8-grams in ja/zh) that occur more than once.

    Loops and keyword lists, the commonest failure of small models (Holtzman et al. 2020, "The Curious Case
    of Neural Text Degeneration"), repeat most of their n-grams; edited prose repeats few.
    """
    text = clean(text)
    pieces, size = (text.replace(" ", ""), 8) if mode == "chars" else (text.lower().split(), 4)
    grams = [tuple(pieces[i:i + size]) for i in range(len(pieces) - size + 1)]
    if not grams:
        return 0.0
    counts: dict[tuple, int] = {}
    for gram in grams:
        counts[gram] = counts.get(gram, 0) + 1
    return sum(n for n in counts.values() if n > 1) / len(grams)


def to_score(z: float) -> int:
    """0–100 from steps below a typical own passage: 0 → 98, 1 → 84, 2 → 50, 4 (as near other voices as own) → 2."""
    return round(100 * NormalDist().cdf(z + OFFSET))


PUNCTUATION = {"!": "exclamation marks", "?": "question marks", ";": "semicolons", ":": "colons", ",": "commas",
               "(": "brackets", '"': "quotation marks", "'": "apostrophes", "-": "dashes", "—": "dashes",
               "“": "quotation marks", "«": "quotation marks", "،": "commas", "、": "commas", "，": "commas",
               "。": "full stops", ".": "full stops", "؟": "question marks", "？": "question marks",
               "！": "exclamation marks"}


def drivers(voiceprint_: dict, whole: np.ndarray, direction: np.ndarray, text: str, mode: str,
            limit: int = 3) -> tuple[list[str], list[str]]:
    """What pulls the margin down most: words or marks the text uses more, and ones it uses less, than the samples.

    Each n-gram's share of the margin is z_text * direction (`delta.measure`); the most negative shares are named
    through the words of the text (when the text uses the n-gram more, as the nearest other voices do) or of the
    samples (when it uses it less).
    """
    ngrams = voiceprint_["ngrams"]
    text_words = _top_words(clean(text), mode)
    more, less = [], []
    for index in np.argsort(whole * direction)[:200]:
        if whole[index] * direction[index] >= 0:
            break
        side, words = (more, text_words) if whole[index] > 0 else (less, voiceprint_["words"])
        name = _name(ngrams[index], words, mode)
        if name and name not in more + less and len(side) < limit:
            side.append(name)
    return more, less


def _name(ngram: str, words: list[str], mode: str) -> str | None:
    """A readable name for an n-gram: the first (most frequent) word containing it, or its punctuation."""
    marks = [PUNCTUATION[c] for c in ngram if c in PUNCTUATION]
    if marks:
        return marks[0]
    core = ngram.strip().lower()
    if mode == "chars" or not words:
        return f"“{core}”" if len(core) >= 2 else None
    if len(core) < 2:
        return None
    whole_word = ngram.startswith(" ") and ngram.endswith(" ")
    for word in words:
        if (word == core) if whole_word else core in word:
            return f"“{word}”"
    return None
