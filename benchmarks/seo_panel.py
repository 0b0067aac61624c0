"""Cost of the Studio's SEO panel, which is rebuilt on every rerun (each pause while typing a meta field).

Run: .venv/bin/python benchmarks/seo_panel.py [--runs 30]
Prints milliseconds per report for a long post in four languages: cold (new text each time, so textstat's
caches miss) and warm (the same text again, as on a rerun where only a meta field changed).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.seo_report import build_report  # noqa: E402

SENTENCES = {
    "en": "Running shoes for flat feet limit overpronation and keep every stride steady on long runs.",
    "de": "Laufschuhe für flache Füße begrenzen die Überpronation und halten jeden Schritt stabil.",
    "fa": "کفش دویدن برای کف پای صاف از چرخش بیش از حد پا جلوگیری می‌کند و هر گام را پایدار نگه می‌دارد.",
    "ja": "扁平足のためのランニングシューズは過回内を抑え、長い距離でも一歩一歩を安定させます。",
}
KEYWORDS = {"en": ["running shoes", "flat feet"], "de": ["Laufschuhe"], "fa": ["کفش دویدن"], "ja": ["ランニングシューズ"]}


def article(language: str, salt: int) -> str:
    """About 1500 words: 12 sections of a heading and a paragraph of 8 sentences."""
    sentence = SENTENCES[language]
    return "".join(f"<h2>Section {salt}-{i}</h2><p>{' '.join([sentence] * 8)} {salt}.</p>" for i in range(12))


def time_reports(language: str, runs: int, warm: bool) -> float:
    """Median milliseconds per build_report call."""
    timings = []
    for run in range(runs):
        body = article(language, 0 if warm else run + 1)
        started = time.perf_counter()
        build_report(title="Running shoes for flat feet", seo_title="Running Shoes for Flat Feet",
                     meta_desc="x" * 150, body_html=body, keywords=KEYWORDS[language], language=language,
                     length="long")
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    time_reports("en", 2, warm=False)  # imports and pyphen dictionaries load once per process
    print(f"{'language':<9}{'words':>7}{'cold ms':>10}{'warm ms':>10}{'cold/warm':>11}")
    for language in SENTENCES:
        words = build_report(title="", seo_title="", meta_desc="", body_html=article(language, 0), keywords=[],
                             language=language, length="long").length.words
        cold, warm = time_reports(language, runs, warm=False), time_reports(language, runs, warm=True)
        print(f"{language:<9}{words:>7}{cold:>10.2f}{warm:>10.2f}{cold / warm:>10.1f}×")


if __name__ == "__main__":
    main()
