"""Length, structure, loops, language and the quality gate for the embedded model, per language and length.

For each language × length it generates one post with the real pipeline (no cache) and prints: body words
against the target (±25 % counts as on target), <h2> count (≥ 3 wanted for medium and long), whether the
outline and headings are filled, the distinct-4-gram ratio (≥ 0.6 wanted; Li et al. 2016), the language
detected, whether the gate passed on the first try, and seconds per post. Rows are also appended as JSON
lines to --out as they finish, so a long run can be read while it goes.

Run: .venv/bin/python benchmarks/length.py [--languages en,de,es,fr] [--lengths short,medium,long] [--threads N]
(on a busy machine --threads 1 avoids llama.cpp's spinning worker threads fighting for the cores)
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import seo  # noqa: E402
from core.config import Settings  # noqa: E402
from core.db import upgrade  # noqa: E402
from core.pipeline import Generator  # noqa: E402
from core.quality import distinct_ngram_ratio  # noqa: E402
from core.schemas import LENGTH_WORDS, ContentRequest  # noqa: E402

TOPICS = {
    "en": ("How to start trail running", ["trail running"]),
    "de": ("Wie man mit dem Trailrunning anfängt", ["Trailrunning"]),
    "es": ("Cómo empezar a correr por montaña", ["correr por montaña"]),
    "fr": ("Comment débuter le trail", ["trail"]),
}
TOLERANCE = 0.25


def measure(generator: Generator, language: str, length: str) -> dict:
    """One post's figures."""
    topic, keywords = TOPICS[language]
    started = time.perf_counter()
    response = generator.generate(ContentRequest(topic=topic, keywords=keywords, length=length, language=language),
                                  "benchmark", use_cache=False, save=False)
    seconds = time.perf_counter() - started
    data, target = response.content, LENGTH_WORDS[length]
    text = seo.plain_text(data.body_html) if data else ""
    words = seo.word_count(text)
    return {"language": language, "length": length, "status": response.status, "target": target, "words": words,
            "on_target": abs(words - target) <= target * TOLERANCE,
            "h2": data.body_html.count("<h2") if data else 0,
            "outline": bool(data and data.outline), "headings": bool(data and data.headings),
            "distinct4": round(distinct_ngram_ratio(text), 3), "detected": response.detected_language,
            "first_try_pass": response.status == "succeeded" and response.attempts == 1,
            "attempts": response.attempts, "seconds": round(seconds, 1), "warnings": response.warnings,
            "error": response.error}


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table, then the shares."""
    lines = ["| lang | length | words / target | ±25 % | <h2> | outline | headings | distinct-4 | detected | "
             "first-try pass | s/post |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['language']} | {r['length']} | {r['words']} / {r['target']} | {'✓' if r['on_target'] else '✗'} "
                     f"| {r['h2']} | {'✓' if r['outline'] else '✗'} | {'✓' if r['headings'] else '✗'} | "
                     f"{r['distinct4']:.2f} | {r['detected'] or '–'} | {'✓' if r['first_try_pass'] else '✗'} | "
                     f"{r['seconds']:.0f} |")
    n = len(rows) or 1
    longer = [r for r in rows if r["length"] != "short"] or [{"h2": 0}]
    lines.append("")
    lines.append(f"on target {sum(r['on_target'] for r in rows)}/{len(rows)} · ≥3 <h2> (medium/long) "
                 f"{sum(r['h2'] >= 3 for r in longer)}/{len(longer)} · outline and headings filled "
                 f"{sum(r['outline'] and r['headings'] for r in rows)}/{len(rows)} · distinct-4 ≥ 0.6 "
                 f"{sum(r['distinct4'] >= 0.6 for r in rows)}/{len(rows)} · first-try gate pass "
                 f"{sum(r['first_try_pass'] for r in rows) / n:.0%} · mean {sum(r['seconds'] for r in rows) / n:.0f} s "
                 f"per post")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default="en,de,es,fr")
    parser.add_argument("--lengths", default="short,medium,long")
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: every core)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "contentcraft-length.jsonl")
    args = parser.parse_args()
    database = Path(tempfile.mkdtemp()) / "length.db"
    settings = Settings(database_url=f"sqlite:///{database}", provider="local", fallback=[], cache_ttl=0,
                        local_threads=args.threads)
    upgrade(settings.database_url)
    generator = Generator(settings)
    print(f"embedded model, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    rows = []
    for length in args.lengths.split(","):
        for language in args.languages.split(","):
            row = measure(generator, language, length)
            rows.append(row)
            with args.out.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(json.dumps({k: row[k] for k in ("language", "length", "status", "words", "h2", "distinct4",
                                                    "detected", "attempts", "seconds")}), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(table(rows))


if __name__ == "__main__":
    main()
