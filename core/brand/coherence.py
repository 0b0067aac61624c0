"""Word-order check: whether a text's adjacent words follow each other as in real sentences of its language.

Character n-gram profiles barely see word order, so the brand's own words shuffled look on-voice. Here a text's
adjacent unit pairs (words, or characters in ja/zh) are looked up among the pairs of the samples and of the
language's pool, counting only pairs whose two units both occur there, so a writer's unfamiliar vocabulary does
not count against it. Real prose reuses common pairs ("of the", "in a"); a shuffle or a keyword list does not.
The share is compared with the samples' own held-out chunks (calibrated like the voiceprint).
"""

import random
import re
import zlib

import numpy as np

from . import voiceprint  # imports this module: names are looked up at call time

CHUNK = {"words": 150, "eojeol": 120, "chars": 300}  # units per calibration chunk
# The floor sits a little below halfway (geometric) between own chunks and the same chunks shuffled: own 250-word
# passages of eight voices stayed above it, shuffled samples below (benchmarks/brand_score.py).
TOWARD_SHUFFLED = 0.85
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_POOL: dict[str, tuple[set[int], set[int]]] = {}


def _units(text: str, mode: str) -> list[str]:
    if mode == "chars":
        return [c for c in text if c.isalnum()]
    return _WORD.findall(text.lower())


def _hash(value: str) -> int:
    return zlib.crc32(value.encode())


def hashed(text: str, mode: str) -> tuple[set[int], set[int]]:
    """The text's units and adjacent unit pairs, as 32-bit hashes (compact to store)."""
    units = _units(text, mode)
    return {_hash(u) for u in units}, {_hash(f"{a}\x00{b}") for a, b in zip(units, units[1:])}


def _pool(language: str, mode: str) -> tuple[set[int], set[int]]:
    if language not in _POOL:
        _POOL[language] = hashed(" ".join(voiceprint.clean(p) for p in voiceprint.pool_passages(language)), mode)
    return _POOL[language]


def rate(text: str, mode: str, words: set[int], pairs: set[int]) -> float | None:
    """Share of the text's adjacent pairs of known units that are known pairs (None if it has too few)."""
    units = _units(text, mode)
    checked = [(a, b) for a, b in zip(units, units[1:]) if _hash(a) in words and _hash(b) in words]
    if len(checked) < 20:
        return None
    return sum(_hash(f"{a}\x00{b}") in pairs for a, b in checked) / len(checked)


def build(text: str, language: str, mode: str) -> dict:
    """The samples' unit and pair hashes, and the floor: near the geometric mean of the median rate of held-out
    chunks (each half against the other half and the pool) and of the same chunks shuffled (against all of it).
    """
    pool_words, pool_pairs = _pool(language, mode)
    chunks = voiceprint.parts(text, mode, max(2, voiceprint.units_of(text, mode) // CHUNK[mode]))
    half = len(chunks) // 2
    real = []
    for held, rest in ((chunks[:half], chunks[half:]), (chunks[half:], chunks[:half])):
        words, pairs = hashed(" ".join(rest), mode)
        real += [rate(c, mode, words | pool_words, pairs | pool_pairs) for c in held]
    words, pairs = hashed(text, mode)  # salad made of the samples' words meets all their pairs
    shuffled = [rate(shuffle(c, mode), mode, words | pool_words, pairs | pool_pairs) for c in chunks]
    real, shuffled = ([r for r in rates if r is not None] for rates in (real, shuffled))
    floor = TOWARD_SHUFFLED * float(np.sqrt(np.median(real) * np.median(shuffled))) if real and shuffled else 0.0
    return {"words": sorted(words), "pairs": sorted(pairs), "floor": round(floor, 4)}


def shuffle(text: str, mode: str, seed: int = 0) -> str:
    """The text's units in a random (seeded) order: what word salad made of the same words looks like."""
    units = [c for c in text if not c.isspace()] if mode == "chars" else text.split()
    random.Random(seed).shuffle(units)
    return ("" if mode == "chars" else " ").join(units)


def check(stored: dict, text: str, language: str, mode: str) -> tuple[float | None, bool]:
    """The text's pair rate, and whether it is below the own chunks' range (words out of sentence order).

    Texts shorter than a calibration chunk are not judged (None, False): their rate varies too much.
    """
    text = voiceprint.clean(text)
    if voiceprint.units_of(text, mode) < CHUNK[mode]:  # shorter than the chunks the floor is calibrated on
        return None, False
    pool_words, pool_pairs = _pool(language, mode)
    found = rate(text, mode, set(stored["words"]) | pool_words, set(stored["pairs"]) | pool_pairs)
    return found, found is not None and found < stored["floor"]
