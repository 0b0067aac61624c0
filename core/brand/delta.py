"""Impostor-margin Cosine Delta on character 1–4-grams: how much closer a text is to the profile than to other voices.

Frequencies are square roots of relative frequencies (Hellinger), z-scored over a population of voices (the
profile plus the built-in pool, `voiceprint.pool_passages`) and compared by cosine (Cosine Delta: Smith &
Aldridge 2011, Evert et al. 2017). The measure is the margin of the impostors method (Koppel & Winter 2014,
"Determining if two documents are written by the same author"): the text's similarity to the profile minus its
mean similarity to the IMPOSTORS pool voices closest to it. A margin of 0 means the text is as close to some
other voice as to the samples; that point anchors the scale for every profile.
"""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

NGRAMS = (1, 4)
TOKEN_NGRAMS = (1, 3)  # of tokens: a masked text's words, masks and marks ("the ***** of", "^**** ,")
FEATURES = 6000
MIN_DF = 2  # in two documents (samples, pool passages): names and topic words only the samples use do not count
FOLDS = 2  # halves: a held-out half on other topics is what a new text is (5 folds overrated typical, benchmark)
IMPOSTORS = 6  # nearest pool voices a text is compared with
SPREAD_FLOOR = 0.02  # cosine units
# The scale: one step is this share of a typical own passage's margin, so a text as close to other voices as to
# the samples (margin 0) sits OTHER_VOICE steps below typical for every profile. A scale from the held-out
# margins' own spread was tighter than unseen own passages on new topics warrant (benchmarks/brand_score.py).
OTHER_VOICE = 4.0


def hellinger(counts: np.ndarray) -> np.ndarray:
    """Square roots of relative frequencies (Hellinger), row-wise."""
    counts = np.atleast_2d(counts).astype(float)
    return np.sqrt(counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0))


def _population(profile: np.ndarray, voices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of each feature over the profile plus the pool voices."""
    stacked = np.vstack([profile[None, :], voices])
    return stacked.mean(axis=0), stacked.std(axis=0) + 1e-4


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) cosine similarities."""
    return (a @ b.T) / (np.linalg.norm(a, axis=1)[:, None] * np.linalg.norm(b, axis=1)[None, :] + 1e-12)


def margins(texts: np.ndarray, profile: np.ndarray, voices: np.ndarray) -> np.ndarray:
    """Per text row (Hellinger shares): Cosine Delta to the profile minus the mean to its IMPOSTORS nearest voices."""
    mean, spread = _population(profile, voices)
    z_texts, z_voices = (texts - mean) / spread, (voices - mean) / spread
    own = _cosines(z_texts, ((profile - mean) / spread)[None, :])[:, 0]
    nearest = np.sort(_cosines(z_texts, z_voices), axis=1)[:, ::-1][:, :min(IMPOSTORS, len(voices))]
    return own - nearest.mean(axis=1)


def vectorizer(ngrams: list[str] | None = None, tokens: str | None = None) -> CountVectorizer:
    """Character 1–4-gram counts, or with tokens (a regular expression) token 1–3-gram counts: the given n-grams, or
    once fitted the FEATURES commonest in MIN_DF documents.
    """
    analyzer, ngram_range = ("word", TOKEN_NGRAMS) if tokens else ("char", NGRAMS)
    return CountVectorizer(analyzer=analyzer, ngram_range=ngram_range, token_pattern=tokens, lowercase=False,
                           max_features=FEATURES, vocabulary=ngrams, min_df=MIN_DF if ngrams is None else 1)


def build(text: str, pool: list[str], chunks_by_size: dict[int, list[str]], tokens: str | None = None) -> dict:
    """N-grams, profile and calibration (mean held-out margin, scale step per window size) for the cleaned samples."""
    fitted = vectorizer(None, tokens).fit([text] + pool)
    voices = hellinger(fitted.transform(pool).toarray())
    profile = hellinger(fitted.transform([text]).toarray())[0]
    return {"ngrams": fitted.get_feature_names_out().tolist(), "profile": _rounded(profile),
            "calibration": {str(size): _calibrate(fitted, chunks, voices) for size, chunks in chunks_by_size.items()}}


def _calibrate(fitted: CountVectorizer, chunks: list[str], voices: np.ndarray) -> list[float]:
    """Mean margin of held-out chunks against a profile of the other folds (contiguous folds), and the scale step."""
    own = fitted.transform(chunks).toarray()
    folds = np.arange(len(chunks)) * min(FOLDS, len(chunks)) // len(chunks)
    fold_counts = np.stack([own[folds == f].sum(axis=0) for f in range(folds.max() + 1)])
    held_out = hellinger(own.sum(axis=0) - fold_counts[folds])  # each chunk's profile leaves its own fold out
    found = np.array([margins(hellinger(own[i]), held_out[i], voices)[0] for i in range(len(chunks))])
    mean = float(found.mean())
    return [round(mean, 5), round(max(mean / OTHER_VOICE, SPREAD_FLOOR), 5)]


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def measure(print_: dict, voices: np.ndarray, fitted: CountVectorizer, text: str, chunks: list[str],
            size: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Standard score of the chunks' mean margin, the whole text's z-scores per n-gram, and the direction per n-gram
    from the text's nearest impostors towards the profile (unit vectors' difference): n-grams where z-score times
    direction is most negative pull the margin down most.
    """
    profile = np.asarray(print_["profile"])
    mean, spread = _population(profile, voices)
    whole = (hellinger(fitted.transform([text]).toarray())[0] - mean) / spread
    z_profile, z_voices = (profile - mean) / spread, (voices - mean) / spread
    units = z_voices / (np.linalg.norm(z_voices, axis=1, keepdims=True) + 1e-12)
    nearest = np.argsort(units @ whole)[::-1][:min(IMPOSTORS, len(voices))]
    direction = z_profile / (np.linalg.norm(z_profile) + 1e-12) - units[nearest].mean(axis=0)
    return standard(print_, voices, fitted, chunks, size), whole, direction


def standard(print_: dict, voices: np.ndarray, fitted: CountVectorizer, chunks: list[str], size: int) -> float:
    """Standard score of the chunks' mean margin: own-passage steps above (+) or below (−) a typical own passage."""
    margin = float(margins(hellinger(fitted.transform(chunks).toarray()), np.asarray(print_["profile"]), voices).mean())
    own_mean, own_spread = print_["calibration"][str(size)]
    return (margin - own_mean) / own_spread
