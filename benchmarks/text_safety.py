"""What grapheme-safe cuts and language-evidenced encoding detection cost, side by side in one run.

    .venv/bin/python benchmarks/text_safety.py [--titles 20000] [--rows 20000]

1. SEO title and meta description fitting, by grapheme cluster (core.seo, `regex` \\X) against the
   same algorithm by code point (what it was before), on titles mixing Japanese, emoji ZWJ sequences,
   flags and Devanagari.
2. Validating a bulk CSV: a UTF-8 file (one candidate encoding) against the same rows saved by Excel in
   Windows-1256 (charset-normalizer's candidates ranked with the rows' declared languages).
"""

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import seo  # noqa: E402
from core.bulk.validation import validate  # noqa: E402

PIECES = ["在宅ワーク", "👩🏽‍💻", "🇯🇵", "क्षि", "Tiếng Việt", "coffee", "قهوه", " "]


def codepoint_title(title: str, limit: int = 60) -> str:
    """The pre-fix seo_title: cut by code point."""
    title = seo.plain_text(title)
    if len(title) <= limit:
        return title
    cut = title[:limit + 1].rsplit(" ", 1)[0] if " " in title[:limit + 1] else ""
    if len(cut) < limit // 2 or seo._CJK.search(title):
        cut = title[:limit]
    return cut.rstrip(" ,;:-–—|")[:limit]


def codepoint_fit(text: str, low: int, high: int) -> str | None:
    """The pre-fix fit_length: cut by code point."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= high:
        return text if len(text) >= low else None
    window = text[:high]
    for index in range(len(window) - 1, low - 1, -1):
        if window[index] == " ":
            return window[:index] + "…"
    return window[:high - 1] + "…"


def timed(function, items) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=20000)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    texts = ["".join(PIECES[(i + j) % len(PIECES)] for j in range(12 + i % 30)) for i in range(args.titles)]
    rows = [("قهوه ترك با شير شماره " + str(i), "fa") if i % 2 else (f"Coffee guide number {i}", "en")
            for i in range(args.rows)]
    csv_text = "topic,language\n" + "".join(f"{topic},{language}\n" for topic, language in rows)
    cases = [
        ("SEO title (60)", timed(seo.seo_title, texts), timed(codepoint_title, texts), "code points"),
        ("meta description (140-160)", timed(lambda t: seo.fit_length(t * 3, 140, 160), texts),
         timed(lambda t: codepoint_fit(t * 3, 140, 160), texts), "code points"),
        (f"validate {args.rows} CSV rows", timed(lambda d: validate(d, "blog"), [csv_text.encode("cp1256")]),
         timed(lambda d: validate(d, "blog"), [csv_text.encode("utf-8")]), "UTF-8 file"),
    ]
    print(f"{'case':32} {'new s':>9} {'baseline s':>11} {'ratio':>7}  baseline")
    for name, new, old, baseline in cases:
        print(f"{name:32} {new:9.3f} {old:11.3f} {new / old:7.2f}  {baseline}")


if __name__ == "__main__":
    main()
