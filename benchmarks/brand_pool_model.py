"""Write the model-prose part of the brand pool: what the embedded SmolLM2-135M-Instruct writes for generic prompts.

What a small model writes for any prompt (fluent, generic marketing and explainer prose) is the voice a brand is
not, so the impostors method (core/brand/delta.py) needs it among the other voices. Topics and prompt kinds here
are disjoint from the benchmark's model junk (benchmarks/brand_quality.py: `model_junk`, `HELD_OUT_TOPICS`), so
the benchmark measures junk the pool has not seen. Generation is seeded (one llama.cpp seed per passage):

    .venv/bin/python -m benchmarks.brand_pool_model [--languages en de …] [--count N] [--threads 1]

writes data/brand_pool/model/LANG.txt, one passage per paragraph. SmolLM2 is Apache-2.0 (HuggingFaceTB).
"""

import argparse
import re
from pathlib import Path

from core.config import Settings
from core.prompts import language_instruction
from core.providers.local import bundled_model_path
from core.providers.local_runner import runner_for

OUT = Path(__file__).resolve().parents[1] / "data" / "brand_pool" / "model"
SEED = 1800
TOPICS = ["houseplants for dark rooms", "an accounting webinar", "electric bikes", "a family dental clinic",
          "solar panels for homes", "a weekend yoga retreat", "project management software", "organic dog food",
          "an online language course", "home insurance", "a bakery's new sourdough", "remote team meetings",
          "a hiking backpack", "password managers", "a wedding photographer", "kitchen renovation"]
KINDS = ["Write a product description for {topic}.", "Write the opening paragraphs of an article about {topic}.",
         "Write a newsletter announcing {topic} to our customers.", "Write the About Us page of a company offering "
         "{topic}.", "Explain the benefits of {topic} to a customer.", "Write landing page copy for {topic}."]
MIN_WORDS = {"words": 60, "chars": 150}


def passage(runner, prompt: str, seed: int, max_tokens: int) -> str:
    """One generation, its paragraphs joined into one (the pool separates passages by blank lines)."""
    args = {"messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens, "temperature": 0.7,
            "repeat_penalty": 1.15, "seed": seed}
    return re.sub(r"\s+", " ", "".join(runner.chat(args, stream=False))).strip()


def generate(language: str, topics: list[str], kinds: list[str], count: int, seed: int, threads: int | None = None,
             max_tokens: int = 400) -> list[str]:
    """count passages for language (topic and prompt kind taken in turn, seed + index), short ones skipped."""
    settings = Settings()
    runner = runner_for(str(settings.local_model_path or bundled_model_path()), settings.local_context, threads)
    found: list[str] = []
    for index in range(count):
        prompt = kinds[index % len(kinds)].format(topic=topics[index % len(topics)])
        text = passage(runner, f"{prompt} {language_instruction(language)}", seed + index, max_tokens)
        cjk = language in ("ja", "zh")
        if (len(text.replace(" ", "")) if cjk else len(text.split())) >= MIN_WORDS["chars" if cjk else "words"]:
            found.append(text)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=["en", "fa", "ar", "de", "es", "fr", "it", "ja", "ko", "zh"])
    parser.add_argument("--count", type=int, default=0, help="passages per language (default: 24 en, 8 others)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for language in args.languages:
        count = args.count or (24 if language == "en" else 8)
        texts = generate(language, TOPICS, KINDS, count, SEED, args.threads)
        (OUT / f"{language}.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        print(f"{language}: {len(texts)} passages", flush=True)


if __name__ == "__main__":
    main()
