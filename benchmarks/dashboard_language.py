"""What speaking the user's language costs the dashboard per call: gettext lookups, Babel formatting and
Accept-Language negotiation, side by side with the plain-Python call each replaces, in one run.

Run: .venv/bin/python benchmarks/dashboard_language.py [--calls 20000]
"""

import argparse
import sys
import tempfile
import timeit
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402

from core import i18n  # noqa: E402
from core.i18n import _, negotiate, use_language  # noqa: E402
from ui import formats  # noqa: E402

MESSAGES = 1500  # about the size of the real catalogue
MOMENT = datetime(2026, 11, 30, 9, 14, tzinfo=timezone.utc)


def persian_catalogue(folder: Path) -> None:
    """A compiled fa catalogue of MESSAGES entries, so lookups search a realistic table."""
    catalog = Catalog(locale="fa", domain=i18n.DOMAIN)
    for number in range(MESSAGES):
        catalog.add(f"Message number {number}", f"پیام شماره {number}")
    (folder / "fa" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "fa" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo", "wb") as handle:
        write_mo(handle, catalog)
    i18n.LOCALE_DIR = folder
    i18n.catalogue.cache_clear()


def per_call(statement, calls: int) -> float:
    """Microseconds per call, best of five runs."""
    return min(timeit.repeat(statement, number=calls, repeat=5)) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    calls = parser.parse_args().calls
    with tempfile.TemporaryDirectory() as folder:
        persian_catalogue(Path(folder))
        rows = []
        for language in ("en", "fa", "de"):
            with use_language(language):
                rows += [
                    (f"_() [{language}] vs the literal", per_call(lambda: _("Message number 700"), calls),
                     per_call(lambda: "Message number 700", calls)),
                    (f"formats.number [{language}] vs f-string", per_call(lambda: formats.number(12345.678, 1), calls),
                     per_call(lambda: f"{12345.678:,.1f}", calls)),
                    (f"formats.when [{language}] vs strftime", per_call(lambda: formats.when(MOMENT, "UTC"), calls),
                     per_call(lambda: MOMENT.strftime("%b %d, %Y, %H:%M:%S"), calls)),
                ]
        rows.append(("negotiate(Accept-Language) vs split", per_call(
            lambda: negotiate("fa-IR,fa;q=0.9,en-US;q=0.8,en;q=0.7"), calls),
            per_call(lambda: "fa-IR,fa;q=0.9,en-US;q=0.8,en;q=0.7".split(",")[0][:2], calls)))
    print(f"{'call':<42} {'µs/call':>9} {'plain µs':>9} {'ratio':>7}")
    for name, localised, plain in rows:
        print(f"{name:<42} {localised:>9.2f} {plain:>9.3f} {localised / plain:>6.0f}×")


if __name__ == "__main__":
    main()
