"""Same-voice verification: character n-gram Cosine Delta against a profile, calibrated on held-out chunks.

Method and sources:
- Texts become relative frequencies of character 1–3-grams (Kešelj et al. 2003, "N-gram-based author
  profiles"; Stamatatos 2009; the strongest short-text features in the PAN authorship-verification tasks,
  Stamatatos et al. 2014–2015). Characters need no word splitting, so ja/zh work as well as en.
- Frequencies are z-scored over a population of voices, the profile plus a small built-in pool of other
  voices in the language (the "impostors" of Koppel & Winter 2014), and compared by cosine: Cosine Delta
  (Smith & Aldridge 2011; Evert et al. 2017).
- Calibration: the similarity of each held-out chunk of the samples to a profile built from the rest
  (leave-one-out) gives the profile's own mean and spread, so a score reads the same for every profile.
"""

import re
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from .analysis import normalise

NGRAMS = (1, 4)
FEATURES = 3000
WINDOW = {"words": 150, "eojeol": 120, "chars": 300}  # units per window a text is measured in
SMALLEST_WINDOW = {"words": 35, "eojeol": 30, "chars": 70}  # when samples are few, windows shrink to this
MIN_CHUNKS = 4  # held-out chunks needed to calibrate
FOLDS = 5  # contiguous folds, so a held-out chunk's neighbours (same topic) do not vouch for it
SPREAD_FLOOR = 0.02  # no profile is calibrated as tighter than this (cosine units)
OFFSET = 2.0  # a typical own passage sits this many spreads above the 50 mark
POOL = Path(__file__).resolve().parents[2] / "data" / "brand_pool"
_CJK_OR_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=16)
def pool_passages(language: str) -> tuple[str, ...]:
    """The built-in passages of other voices in a language (English if it has none)."""
    path = POOL / f"{language}.txt"
    if not path.exists():
        path = POOL / "en.txt"
    text = path.read_text(encoding="utf-8")
    return tuple(p.strip() for p in text.split("\n\n") if p.strip())


def clean(text: str) -> str:
    """Text as n-grams see it: unified apostrophes, one space between words."""
    return _CJK_OR_SPACE.sub(" ", normalise(text)).strip()


def units_of(text: str, mode: str) -> int:
    """Words (or Korean eojeol) split by spaces, or non-space characters for ja/zh."""
    return len(text.replace(" ", "")) if mode == "chars" else len(text.split())


def windows(text: str, mode: str, size: int) -> list[str]:
    """The text cut into units // size nearly equal pieces (at least one), so no piece is shorter than size."""
    if mode == "chars":
        pieces = list(text)
    else:
        pieces = text.split(" ")
    count = max(1, units_of(text, mode) // size)
    bounds = np.linspace(0, len(pieces), count + 1).round().astype(int)
    joiner = "" if mode == "chars" else " "
    return [joiner.join(pieces[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _shape(counts: np.ndarray) -> np.ndarray:
    """Square roots of relative frequencies (Hellinger), row-wise."""
    counts = np.atleast_2d(counts).astype(float)
    return np.sqrt(counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0))


def _population(profiles: np.ndarray, voices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of each feature over each profile row plus the pool voices: (n, K) arrays."""
    stacked = np.concatenate([profiles[:, None, :], np.broadcast_to(voices, (len(profiles), *voices.shape))], axis=1)
    return stacked.mean(axis=1), stacked.std(axis=1) + 1e-4


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)


def build(texts: list[str], language: str, mode: str) -> dict | None:
    """The voiceprint of the samples: n-gram vocabulary, profile, population and calibration (None if too few)."""
    text = clean("\n".join(texts))
    units = units_of(text, mode)
    sizes = [size for size in (WINDOW[mode], 2 * WINDOW[mode], 4 * WINDOW[mode]) if units // MIN_CHUNKS >= size]
    sizes = sizes or [units // MIN_CHUNKS] if units // MIN_CHUNKS >= SMALLEST_WINDOW[mode] else []
    if not sizes:
        return None
    pool = list(pool_passages(language))
    vectorizer = CountVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, max_features=FEATURES)
    counts = vectorizer.fit_transform([text] + pool).toarray()
    voices = _shape(counts[1:])
    profile = _shape(counts[0])
    mean, spread = _population(profile, voices)
    calibration = {str(size): _calibrate(vectorizer, windows(text, mode, size), voices) for size in sizes}
    return {"ngrams": vectorizer.get_feature_names_out().tolist(), "calibration": calibration,
            "profile": _rounded(profile[0]), "mean": _rounded(mean[0]), "spread": _rounded(spread[0]),
            "words": _top_words(text, mode)}


def _calibrate(vectorizer: CountVectorizer, chunks: list[str], voices: np.ndarray) -> list[float]:
    """Mean and spread of held-out chunks' similarity to a profile of the other folds (contiguous folds)."""
    own = vectorizer.transform(chunks).toarray()
    folds = np.arange(len(chunks)) * min(FOLDS, len(chunks)) // len(chunks)
    fold_counts = np.stack([own[folds == f].sum(axis=0) for f in range(folds.max() + 1)])
    held_out = _shape(own.sum(axis=0) - fold_counts[folds])  # each chunk's profile leaves its own fold out
    mean, spread = _population(held_out, voices)
    similarity = _cosine((_shape(own) - mean) / spread, (held_out - mean) / spread)
    return [round(float(similarity.mean()), 5), round(max(float(similarity.std(ddof=1)), SPREAD_FLOOR), 5)]


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def _top_words(text: str, mode: str, limit: int = 400) -> list[str]:
    """The samples' most frequent words, to name the n-grams an explanation points at."""
    if mode == "chars":
        return []
    found: dict[str, int] = {}
    for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower()):
        found[word] = found.get(word, 0) + 1
    return sorted(found, key=lambda w: -found[w])[:limit]


@lru_cache(maxsize=32)
def _vectorizer(ngrams: tuple[str, ...]) -> CountVectorizer:
    return CountVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, vocabulary=list(ngrams))


def window_for(voiceprint: dict, units: int) -> int:
    """The largest calibrated window that fits the text (the smallest if none does)."""
    sizes = sorted(int(size) for size in voiceprint["calibration"])
    return max([size for size in sizes if size <= units] or sizes[:1])


def measure(voiceprint: dict, text: str, mode: str) -> tuple[float, np.ndarray, np.ndarray]:
    """Standard score of the text's mean Cosine Delta similarity, and the z-scores of text and profile per n-gram.

    The standard score counts own-passage spreads above (+) or below (−) a typical own passage of that length.
    """
    vectorizer = _vectorizer(tuple(voiceprint["ngrams"]))
    mean, spread = np.array(voiceprint["mean"]), np.array(voiceprint["spread"])
    profile = (np.array(voiceprint["profile"]) - mean) / spread
    text = clean(text)
    size = window_for(voiceprint, units_of(text, mode))
    counts = vectorizer.transform(windows(text, mode, size)).toarray()
    similarity = _cosine((_shape(counts) - mean) / spread, profile[None, :]).mean()
    own_mean, own_spread = voiceprint["calibration"][str(size)]
    whole = (_shape(counts.sum(axis=0))[0] - mean) / spread
    return float((similarity - own_mean) / own_spread), whole, profile


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
    """0–100: a typical own passage scores 98, one spread below typical 84, two below 50, three below 16."""
    return round(100 * NormalDist().cdf(z + OFFSET))


PUNCTUATION = {"!": "exclamation marks", "?": "question marks", ";": "semicolons", ":": "colons", ",": "commas",
               "(": "brackets", '"': "quotation marks", "'": "apostrophes", "-": "dashes", "—": "dashes",
               "“": "quotation marks", "«": "quotation marks", "،": "commas", "、": "commas", "，": "commas",
               "。": "full stops", ".": "full stops", "؟": "question marks", "？": "question marks",
               "！": "exclamation marks"}


def drivers(voiceprint: dict, whole: np.ndarray, profile: np.ndarray, text: str, mode: str,
            limit: int = 3) -> tuple[list[str], list[str]]:
    """What pulls the similarity down most: words or marks the text uses more, and ones it uses less, than the samples.

    Each n-gram's share of the cosine is z_text * z_profile; the most negative shares are named through the
    words of the text (for "more") or of the samples (for "less") that contain them.
    """
    ngrams = voiceprint["ngrams"]
    order = np.argsort(whole * profile)[:60]
    text_words = _top_words(clean(text), mode)
    more, less = [], []
    for index in order:
        if whole[index] * profile[index] >= 0:
            break
        side, words = (more, text_words) if whole[index] > profile[index] else (less, voiceprint["words"])
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
