"""The translation catalogues in data/locale: how complete each language is (`python -m core i18n coverage`).

Extraction, merging and compiling are Babel's own commands, run by `make messages` and `make install`.
"""

from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from .i18n import DOMAIN, LOCALE_DIR, UI_LANGUAGES, _

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


@dataclass
class Coverage:
    """One language's catalogue against the template: messages translated (all plural forms, not fuzzy)."""

    language: str
    translated: int
    fuzzy: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 0.0


def read_catalogue(path: Path, language: str | None = None) -> Catalog:
    """A .po or .pot file parsed by Babel."""
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def po_path(language: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def is_translated(message) -> bool:
    """Whether a catalogue entry has every form translated and is not marked fuzzy."""
    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(forms)


def coverage(language: str, template: Catalog | None = None) -> Coverage:
    """How much of the template a language's catalogue translates (0 when it has none)."""
    template = template or read_catalogue(TEMPLATE)
    ids = [message.id for message in template if message.id]
    path = po_path(language)
    if not path.exists():
        return Coverage(language, 0, 0, len(ids))
    catalogue = read_catalogue(path, language)
    found = [catalogue.get(message_id) for message_id in ids]
    return Coverage(language, sum(1 for m in found if m is not None and is_translated(m)),
                    sum(1 for m in found if m is not None and m.fuzzy), len(ids))


def untranslated(language: str, template: Catalog | None = None) -> list:
    """The template's message ids a language's catalogue does not translate yet (missing, empty or fuzzy)."""
    template = template or read_catalogue(TEMPLATE)
    catalogue = read_catalogue(po_path(language), language) if po_path(language).exists() else Catalog()
    return [message.id for message in template if message.id and not (
        catalogue.get(message.id) is not None and is_translated(catalogue.get(message.id)))]


def coverage_table(languages=UI_LANGUAGES[1:]) -> str:
    """A Markdown table of every translation's coverage, for the README."""
    template = read_catalogue(TEMPLATE)
    rows = ["| Language | Code | Translated | Coverage |", "|---|---|---:|---:|"]
    for language in languages:
        found = coverage(language, template)
        name = Locale.parse(language).get_display_name("en")
        rows.append(f"| {name} | `{language}` | {found.translated}/{found.total} | {int(found.percent)}% |")
    return "\n".join(rows)


def add_commands(subparsers) -> None:
    """Register `i18n coverage` and `i18n todo`."""
    i18n = subparsers.add_parser("i18n", help=_("the translation catalogues")).add_subparsers(dest="action",
                                                                                              required=True)
    i18n.add_parser("coverage", help=_("print each language's coverage as a Markdown table")).set_defaults(
        handler=lambda args: print(coverage_table()) or 0)
    todo = i18n.add_parser("todo", help=_("list the messages a language still needs (exit 1 if any)"))
    todo.add_argument("language", choices=UI_LANGUAGES[1:])
    todo.set_defaults(handler=cmd_todo)


def cmd_todo(args) -> int:
    missing = untranslated(args.language)
    for message_id in missing:
        print(" ||| ".join(message_id) if isinstance(message_id, (list, tuple)) else message_id)
    return 1 if missing else 0
