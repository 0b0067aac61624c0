"""Cosine Delta on character 1–4-grams, z-scored over the profile and the built-in pool of other voices.

Smith & Aldridge 2011; Evert et al. 2017. Frequencies are square roots of relative frequencies (Hellinger),
z-scored over a population of voices (the profile plus `voiceprint.pool_passages`), compared by cosine and
calibrated on held-out chunks of the samples. It is the second opinion `voiceprint` averages with TF-IDF:
steadier than TF-IDF when the samples are only a few hundred words.
"""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

NGRAMS = (1, 4)
FEATURES = 3000
FOLDS = 5
SPREAD_FLOOR = 0.02  # cosine units


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


def build(text: str, pool: list[str], chunks_by_size: dict[int, list[str]]) -> dict:
    """N-grams, profile, population and calibration (mean, spread per window size) for the cleaned samples."""
    vectorizer = CountVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, max_features=FEATURES)
    counts = vectorizer.fit_transform([text] + pool).toarray()
    voices, profile = _shape(counts[1:]), _shape(counts[0])
    mean, spread = _population(profile, voices)
    return {"ngrams": vectorizer.get_feature_names_out().tolist(), "profile": _rounded(profile[0]),
            "mean": _rounded(mean[0]), "spread": _rounded(spread[0]),
            "calibration": {str(size): _calibrate(vectorizer, chunks, voices) for size, chunks in chunks_by_size.items()}}


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


_VECTORIZERS: dict[int, tuple] = {}


def measure(delta: dict, text: str, chunks: list[str], size: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Standard score of the chunks' mean Cosine Delta similarity, and the z-scores of text and profile per n-gram."""
    key = id(delta["ngrams"])
    if key not in _VECTORIZERS or _VECTORIZERS[key][0] is not delta["ngrams"]:
        if len(_VECTORIZERS) > 32:
            _VECTORIZERS.clear()
        vectorizer = CountVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, vocabulary=delta["ngrams"])
        _VECTORIZERS[key] = (delta["ngrams"], vectorizer)
    vectorizer = _VECTORIZERS[key][1]
    mean, spread = np.array(delta["mean"]), np.array(delta["spread"])
    profile = (np.array(delta["profile"]) - mean) / spread
    counts = vectorizer.transform(chunks).toarray()
    similarity = _cosine((_shape(counts) - mean) / spread, profile[None, :]).mean()
    own_mean, own_spread = delta["calibration"][str(size)]
    whole = (_shape(vectorizer.transform([text]).toarray())[0] - mean) / spread
    return float((similarity - own_mean) / own_spread), whole, profile
