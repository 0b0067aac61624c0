"""Same-voice verification: character and word n-grams against a profile, calibrated on held-out folds of the samples.

Two standard scores, each calibrated on held-out folds of the samples, are combined (weights 0.8 and 0.2):
- Cosine Delta on character 1–4-grams z-scored over the profile plus a built-in pool of other voices per
  language (`delta.py`; Smith & Aldridge 2011, Evert et al. 2017; the pool plays the "impostors" of Koppel &
  Winter 2014). It carries style: punctuation, affixes, function words.
- TF-IDF cosine to the centroid of the samples' windows (the PAN authorship-verification baseline) over
  character 2–5-grams and, outside ja/zh, word 1–2-grams with punctuation as tokens (Sapkota et al. 2015, "Not
  all character n-grams are created equal"; Kešelj et al. 2003), sublinear term frequency, features kept by
  document frequency (at least two documents, the commonest first) over the samples' windows plus the pool.
  It carries wording, which tells apart two voices of the same genre. Each fold's check refits vocabulary,
  IDF and centroid without it, as a new text meets them.
Characters need no word splitting, so ja/zh work as well as en.
"""

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from . import delta
from .analysis import normalise

METHOD = "delta+tfidf-1"  # stored with each voiceprint; a profile built by another method must be saved again
CHAR_NGRAMS, WORD_NGRAMS = (2, 5), (1, 2)
FEATURES = {"char": 20000, "word": 10000}  # most frequent n-grams kept, of those in two or more documents
MIN_DF = 2
WORD_TOKENS = r"(?u)\b\w+\b|[^\w\s]"  # words and each punctuation mark
WINDOW = {"words": 150, "eojeol": 120, "chars": 300}  # units per window a text is measured in
SMALLEST_WINDOW = {"words": 35, "eojeol": 30, "chars": 70}  # when samples are few, windows shrink to this
MIN_CHUNKS = 4  # held-out chunks needed to calibrate
FOLDS = 5  # contiguous folds, so a held-out chunk's neighbours (same topic) do not vouch for it
SPREAD_FLOOR = 0.005  # no profile is calibrated as tighter than this (cosine units)
# The TF-IDF score's share. Its held-out folds come from the samples' own topics, so new topics sit several of
# its spreads lower; at 0.2 it adds its word-level separation (Debian Handbook vs Reference, raw AUC 0.82 → 0.90
# in benchmarks/brand_score.py) while Cosine Delta, steady across topics, keeps own passages in the high band.
TFIDF_WEIGHT = 0.2
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
    """Windows of exactly size units, evenly spaced to cover the text (the whole text if it is shorter)."""
    pieces = list(text) if mode == "chars" else text.split(" ")
    joiner = "" if mode == "chars" else " "
    if len(pieces) <= size:
        return [joiner.join(pieces)]
    starts = np.linspace(0, len(pieces) - size, -(-len(pieces) // size)).round().astype(int)
    return [joiner.join(pieces[start:start + size]) for start in starts]


def parts(text: str, mode: str, count: int) -> list[str]:
    """The text cut into count nearly equal, non-overlapping pieces (what the vocabulary is fitted on)."""
    pieces = list(text) if mode == "chars" else text.split(" ")
    bounds = np.linspace(0, len(pieces), max(1, count) + 1).round().astype(int)
    joiner = "" if mode == "chars" else " "
    return [joiner.join(pieces[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _kinds(mode: str) -> tuple[str, ...]:
    return ("char",) if mode == "chars" else ("char", "word")


def _vectorizer(kind: str, vocabulary: list[str] | None = None, idf: list[float] | None = None) -> TfidfVectorizer:
    options = ({"analyzer": "char", "ngram_range": CHAR_NGRAMS, "lowercase": False} if kind == "char" else
               {"analyzer": "word", "ngram_range": WORD_NGRAMS, "token_pattern": WORD_TOKENS})
    vectorizer = TfidfVectorizer(sublinear_tf=True, norm=None, min_df=MIN_DF, max_features=FEATURES[kind],
                                 vocabulary=vocabulary, **options)
    if idf is not None:
        vectorizer.idf_ = np.asarray(idf)
    return vectorizer


def vectors(vectorizers: dict[str, TfidfVectorizer], texts: list[str]) -> np.ndarray:
    """Unit-length rows: each kind's TF-IDF block normalised, the blocks at equal weight."""
    blocks = [normalize(vectorizer.transform(texts)).toarray() for vectorizer in vectorizers.values()]
    return np.hstack(blocks) / np.sqrt(len(blocks))


def _fit(chunks: list[str], pool: list[str], mode: str) -> tuple[dict[str, TfidfVectorizer], np.ndarray]:
    """Vectorizers fitted on the chunks plus the pool, and the chunks' centroid (unit length)."""
    fitted = {kind: _vectorizer(kind).fit(chunks + pool) for kind in _kinds(mode)}
    centroid = vectors(fitted, chunks).mean(axis=0)
    return fitted, centroid / (np.linalg.norm(centroid) + 1e-12)


def build(texts: list[str], language: str, mode: str) -> dict | None:
    """The voiceprint of the samples: vocabulary, IDF, centroid and calibration per window size (None if too few)."""
    text = clean("\n".join(texts))
    units = units_of(text, mode)
    sizes = [size for size in (WINDOW[mode], 2 * WINDOW[mode], 4 * WINDOW[mode]) if units // MIN_CHUNKS >= size]
    sizes = sizes or [units // MIN_CHUNKS] if units // MIN_CHUNKS >= SMALLEST_WINDOW[mode] else []
    if not sizes:
        return None
    pool = list(pool_passages(language))
    fitted, centroid = _fit(parts(text, mode, units // sizes[0]), pool, mode)
    vocabulary = {kind: vectorizer.get_feature_names_out().tolist() for kind, vectorizer in fitted.items()}
    idf = {kind: _rounded(vectorizer.idf_) for kind, vectorizer in fitted.items()}
    key = hashlib.sha256(repr((vocabulary, idf)).encode()).hexdigest()[:16]
    second = delta.build(text, pool, {size: parts(text, mode, units // size) for size in sizes})
    return {"method": METHOD, "key": key, "vocabulary": vocabulary, "idf": idf, "centroid": _rounded(centroid),
            "calibration": _calibrate(text, mode, sizes, pool), "words": _top_words(text, mode), "delta": second}


def _calibrate(text: str, mode: str, sizes: list[int], pool: list[str]) -> dict[str, list[float]]:
    """Per window size, mean and spread of held-out chunks' similarity to a voiceprint built without their fold."""
    folds = parts(text, mode, min(FOLDS, units_of(text, mode) // sizes[0]))
    found: dict[int, list[float]] = {size: [] for size in sizes}
    for held_out in folds:
        rest = [part for other in folds if other is not held_out
                for part in parts(other, mode, units_of(other, mode) // sizes[0])]
        fitted, centroid = _fit(rest, pool, mode)
        for size in sizes:
            found[size] += (vectors(fitted, windows(held_out, mode, size)) @ centroid).tolist()
    return {str(size): [round(float(np.mean(values)), 5), round(_spread(values), 5)] for size, values in found.items()}


def _spread(values: list[float]) -> float:
    return max(float(np.std(values, ddof=1)) if len(values) > 1 else 0.0, SPREAD_FLOOR)


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


def _load(voiceprint: dict) -> tuple[dict[str, TfidfVectorizer], np.ndarray]:
    """The voiceprint's vectorizers and centroid, built once per stored voiceprint."""
    key = voiceprint["key"]
    if key not in _LOADED:
        if len(_LOADED) >= 32:
            _LOADED.clear()
        vocabulary = voiceprint["vocabulary"]
        fitted = {kind: _vectorizer(kind, words, voiceprint["idf"][kind]) for kind, words in vocabulary.items()}
        _LOADED[key] = fitted, np.asarray(voiceprint["centroid"])
    return _LOADED[key]


_LOADED: dict[str, tuple] = {}


def window_for(voiceprint: dict, units: int) -> int:
    """The largest calibrated window that fits the text (the smallest if none does)."""
    sizes = sorted(int(size) for size in voiceprint["calibration"])
    return max([size for size in sizes if size <= units] or sizes[:1])


def measure(voiceprint: dict, text: str, mode: str) -> tuple[float, np.ndarray, np.ndarray]:
    """Standard score of the text against the profile, and the Cosine Delta z-scores of text and profile per n-gram.

    The standard score counts own-passage spreads above (+) or below (−) a typical own passage of that length:
    the Cosine Delta score and the TF-IDF score, each calibrated on held-out folds, weighted 1 − TFIDF_WEIGHT
    and TFIDF_WEIGHT.
    """
    fitted, centroid = _load(voiceprint)
    text = clean(text)
    size = window_for(voiceprint, units_of(text, mode))
    chunks = windows(text, mode, size)
    own_mean, own_spread = voiceprint["calibration"][str(size)]
    lexical = (float((vectors(fitted, chunks) @ centroid).mean()) - own_mean) / own_spread
    stylistic, whole, profile = delta.measure(voiceprint["delta"], text, chunks, size)
    return (1 - TFIDF_WEIGHT) * stylistic + TFIDF_WEIGHT * lexical, whole, profile


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

    Named from the Cosine Delta half of the score: each n-gram's share of the cosine is z_text * z_profile, and
    the most negative shares are named through the words of the text (for "more") or of the samples (for
    "less") that contain them.
    """
    ngrams = voiceprint["delta"]["ngrams"]
    text_words = _top_words(clean(text), mode)
    more, less = [], []
    for index in np.argsort(whole * profile)[:60]:
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
