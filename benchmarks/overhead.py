"""Core overhead per generation, cache-hit latency, and the local provider's speed vs raw llama.cpp.

Run: .venv/bin/python benchmarks/overhead.py [--runs 300] [--local-runs 3] [--local-tokens 256]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.config import Settings  # noqa: E402
from core.db import engine_for, upgrade  # noqa: E402
from core.hookspecs import hookimpl  # noqa: E402
from core.pipeline import Generator  # noqa: E402
from core.plugins import pm  # noqa: E402
from core.providers import Provider  # noqa: E402
from core.schemas import BlogDraft, ContentRequest  # noqa: E402
from tests.samples import LONG_BODY  # noqa: E402

DRAFT = json.dumps({
    "title": "Running Shoes for Flat Feet: A Practical Buying Guide",
    "excerpt": "Flat feet need the right support. Here is how to choose running shoes that keep you comfortable.",
    "outline": ["Why support matters", "What to look for"],
    "body_html": LONG_BODY,  # varied and long enough to pass the quality gate on the first try
    "seo_title": "Running Shoes for Flat Feet: How to Choose",
    "meta_desc": "Learn how to pick running shoes for flat feet: what arch support means, which cushioning "
                 "helps, and how to test a pair in the shop before you buy.",
})


class InstantProvider(Provider):
    """Answers immediately, so only ContentCraft's own work is timed."""

    name = "instant"
    default_model = "instant"

    def execute(self, messages, schema, stream, usage):
        usage.prompt_tokens, usage.completion_tokens = 100, 400
        yield DRAFT


class _Plugin:
    @hookimpl
    def register_providers(self, register):
        register(InstantProvider)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def time_pipeline(generator: Generator, runs: int, use_cache: bool) -> list[float]:
    samples = []
    for index in range(runs):
        topic = "Running shoes for flat feet" if use_cache else f"Running shoes for flat feet, part {index}"
        start = time.perf_counter()
        response = generator.generate(ContentRequest(topic=topic, keywords=["running shoes"]), "bench",
                                      use_cache=use_cache)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status == "succeeded", response.error
    return samples


def bench_overhead(runs: int) -> None:
    pm.register(_Plugin(), name="bench.instant")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = Settings(database_url=url, provider="instant", rate_limit=10**9)
        generator = Generator(settings, engine_for(url))
        time_pipeline(generator, 20, use_cache=False)  # warm-up: imports, schema, SQLite pages
        p50, p95 = percentiles(time_pipeline(generator, runs, use_cache=False))
        print(f"core overhead per generation (instant provider, {runs} runs): p50 {p50:.2f} ms, p95 {p95:.2f} ms"
              f"  [goal p50 <= 5 ms]")
        time_pipeline(generator, 1, use_cache=True)
        p50, p95 = percentiles(time_pipeline(generator, runs, use_cache=True))
        print(f"cache hit ({runs} runs): p50 {p50:.2f} ms, p95 {p95:.2f} ms  [goal p95 <= 5 ms]")


def bench_local(runs: int, max_tokens: int) -> None:
    from llama_cpp import Llama

    from core.providers import llama_portable
    from core.providers.local import LocalProvider

    settings = Settings(max_tokens=max_tokens)
    provider = LocalProvider(settings)  # llama.cpp in its runner process, answers over a pipe
    llama_portable.install()  # load the raw side exactly as the runner does
    llama = Llama(model_path=provider.model_path, n_ctx=settings.local_context, verbose=False,
                  n_threads=max(1, os.cpu_count() or 1))
    schema = BlogDraft.model_json_schema()
    messages = [{"role": "user", "content": "Write a short blog post about choosing running shoes as JSON."}]
    provider.complete(messages, schema)  # warm-up: the runner starts and loads the model
    llama.create_chat_completion(messages=messages, max_tokens=32)
    ours, raw = [], []
    for _ in range(runs):  # interleaved so machine noise hits both sides alike
        start = time.perf_counter()
        completion = provider.complete(messages, schema)
        ours.append(completion.completion_tokens / (time.perf_counter() - start))
        start = time.perf_counter()
        result = llama.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.7,
                                              repeat_penalty=1.15,
                                              response_format={"type": "json_object", "schema": schema})
        raw.append(result["usage"]["completion_tokens"] / (time.perf_counter() - start))
    ours_median, raw_median = statistics.median(ours), statistics.median(raw)
    print(f"local provider (runner process): {ours_median:.1f} tokens/s; raw llama.cpp in-process: "
          f"{raw_median:.1f} tokens/s; ratio {ours_median / raw_median:.3f}  [goal >= 0.90]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--local-runs", type=int, default=3)
    parser.add_argument("--local-tokens", type=int, default=256, help="max tokens per local generation")
    args = parser.parse_args()
    os.environ.setdefault("CONTENTCRAFT_LOG_LEVEL", "WARNING")
    bench_overhead(args.runs)
    if args.local_runs:
        bench_local(args.local_runs, args.local_tokens)


if __name__ == "__main__":
    main()
