"""How well the brand score tells a voice from others: ROC AUC per pair, own-score spread, junk, time per item.

Profiles are trained on the first half of each voice (its first TRAIN_WORDS words, as a team would paste a few
documents); own passages come from the unseen second half, other passages from anywhere in the other voices.
Run through benchmarks/brand_score.py (the corpora are downloaded there, see benchmarks/brand_corpora.py).
"""

import random
import statistics
import time

from sklearn.metrics import roc_auc_score

from core.brand.scoring import build_reference, score_text

from . import brand_corpora

TRAIN_WORDS = 6000
OWN_PASSAGES, OTHER_PASSAGES = 30, 20
# Typical failures of small models: loops, keyword lists, broken JSON, assistant boilerplate, placeholders.
JUNK = [
    " ".join(["The best running shoes are the best shoes for running and the best running is with the best "
              "shoes."] * 8),
    ", ".join(["running shoes", "best running shoes", "running shoes 2025", "cheap running shoes", "shoes for running",
               "trail running shoes", "running shoe sale", "buy running shoes online", "running shoes men",
               "running shoes women"] * 6),
    '{"title": "Running in the rain", "excerpt": "Running", "outline": ["Intro", "Intro", "Intro"], "body_html": '
    '"<p>Running in the rain is running in the rain.</p>' + "<p>Running is good. Rain is good.</p>" * 20,
    "Sure! Here is a blog post about the topic you asked for. As an AI language model, I do not have personal "
    "opinions, but I can provide information. " * 5 + "I hope this helps! Let me know if you need anything else. " * 5,
    "[Insert introduction here] Lorem ipsum dolor sit amet, consectetur adipiscing elit. [Keyword 1] [Keyword 2] "
    "Title: Title: Title: {topic} {keywords} {tone} TODO write the body of the article here. " * 5,
    "running running shoes shoes good very good the the the is is a a running of of shoes best best best good "
    "shoe rain weather out door go go go run run run fast fast fast " * 3,
]


def _pick(items: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return items if len(items) <= count else [items[i] for i in sorted(rng.sample(range(len(items)), count))]


def split(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(training paragraphs from the first half, the unseen second half)."""
    half, train, words = len(paragraphs) // 2, [], 0
    for paragraph in paragraphs[:len(paragraphs) // 2]:
        train.append(paragraph)
        words += len(paragraph.split())
        if words >= TRAIN_WORDS:
            break
    return train, paragraphs[half:]


def model_junk(count: int) -> list[str]:
    """Texts the embedded SmolLM2-135M writes for marketing prompts (empty if the model is not installed)."""
    try:
        from core.config import Settings
        from core.providers.local import LocalProvider

        provider = LocalProvider(Settings(max_tokens=450))
    except Exception as error:  # the benchmark still runs without the model
        print(f"  (no embedded-model junk: {error})")
        return []
    topics = ["running shoes", "our new coffee machine", "cloud backup for small firms", "a city break in Lisbon",
              "why rest days matter", "winter gloves", "a budgeting app", "our summer sale"]
    prompts = [f"Write a 300-word blog post about {topics[i % len(topics)]} in our brand voice." for i in range(count)]
    return [provider.complete([{"role": "user", "content": prompt}]).text for prompt in prompts]


def evaluate(voices: dict[str, list[str]], lengths=(100, 250, 600), junk: list[str] = ()) -> dict:
    """Scores of own held-out and other passages for every voice, at each length."""
    results = {}
    other_texts = {(voice, words): _pick(brand_corpora.passages(paragraphs, words), OTHER_PASSAGES, 2)
                   for voice, paragraphs in voices.items() for words in lengths}
    for voice, paragraphs in voices.items():
        train, rest = split(paragraphs)
        reference = build_reference(train, "en")
        for words in lengths:
            own = [_timed(reference, t) for t in _pick(brand_corpora.passages(rest, words), OWN_PASSAGES, 1)]
            others = {other: [_timed(reference, t) for t in other_texts[other, words]]
                      for other in voices if other != voice}
            results[voice, words] = (own, others)
        results[voice, "junk"] = [score_text(reference, text)[0] for text in junk]
        print(f"  scored {voice}", flush=True)
    return results


def _timed(reference: dict, text: str) -> tuple[int | None, float]:
    start = time.perf_counter()
    score, _ = score_text(reference, text)
    return score, (time.perf_counter() - start) * 1000


def auc(own: list, other: list) -> float:
    """ROC AUC of own (positive) against other passages; an unscored passage counts as score -1."""
    values = [(-1 if s is None else s) for s, _ in own + other]
    return roc_auc_score([1] * len(own) + [0] * len(other), values)


def report(voices: dict[str, list[str]], results: dict, lengths) -> None:
    """The table: per voice and length the AUC against each other voice, own-score spread and time per item."""
    names = list(voices)
    print(f"  AUC own held-out vs other passages (profile: {TRAIN_WORDS} words of the first half); "
          f"literary: {', '.join(brand_corpora.LITERARY)}; same genre: gnu~devref, handbook~reference")
    print(f"  {'profile':11} {'words':>5} " + " ".join(f"{n[:8]:>8}" for n in names)
          + "   own p10/median/p90   ms/item")
    for voice in names:
        for words in lengths:
            own, others = results[voice, words]
            cells = [f"{'—':>8}" if other == voice else f"{auc(own, others[other]):8.3f}" for other in names]
            scores = sorted(-1 if s is None else s for s, _ in own)
            spread = f"{_quantile(scores, 0.1):>4}/{statistics.median(scores):>4.0f}/{_quantile(scores, 0.9):>4}"
            timing = statistics.median(ms for _, ms in own + [x for o in others.values() for x in o])
            print(f"  {voice:11} {words:5d} " + " ".join(cells) + f"   {spread:>18}   {timing:7.1f}")
    _goals(names, results)


def _quantile(values: list[int], q: float) -> int:
    return values[min(len(values) - 1, int(q * len(values)))]


def _goals(names: list[str], results: dict) -> None:
    literary = min(auc(*_pair(results, v, o, 600)) for v in names for o in brand_corpora.LITERARY if o != v)
    same = {f"{v}~{o}": round(auc(*_pair(results, v, o, 600)), 3) for v, o in brand_corpora.SAME_GENRE.items()}
    junk = [s for v in names for s in results[v, "junk"]]
    worst = max((s for s in junk if s is not None), default=None)
    print(f"  goals at 600 words: min AUC vs a literary voice {literary:.3f} [goal >= 0.95]; same genre {same} "
          f"[goal >= 0.85]; junk max score {worst} over {len(junk)} (unscored {junk.count(None)}) [goal <= 20]")


def _pair(results: dict, voice: str, other: str, words: int) -> tuple[list, list]:
    own, others = results[voice, words]
    return own, others[other]
