"""Numbers, percentages, money, durations and dates as the current UI language writes them (Babel, CLDR data).

In fa this means Persian digits and separators ("۱۲٬۳۴۵", "۳٫۱"), so a right-to-left dashboard
reads as one text; English stays "12,345" and "4.5%".
"""

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent

from core.i18n import _, current_language

DASH = "–"  # no data


def number(value, digits: int | None = None, group: bool = True) -> str:
    """A count or measure, grouped unless group=False; digits fixes the decimals (default: as the value has)."""
    if value is None:
        return DASH
    pattern = None if digits is None and group else ("#,##0" if group else "0") + ("." + "0" * digits if digits else "")
    return _native(format_decimal(value, format=pattern, locale=current_language(), numbering_system="default"))


def percent(ratio, digits: int = 1) -> str:
    """A 0–1 ratio as a percentage ("12.5%")."""
    if ratio is None:
        return DASH
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return _native(format_percent(ratio, format=pattern, locale=current_language(), numbering_system="default"))


def compact(value) -> str:
    """Big counts the short way ("12K", "8.2M"), as each language abbreviates them."""
    if value is None:
        return DASH
    return _native(format_compact_decimal(value, fraction_digits=1, locale=current_language(),
                                          numbering_system="default"))


def money(usd) -> str:
    """A US dollar amount ("$1,234.50")."""
    if usd is None:
        return DASH
    return _native(format_currency(usd, "USD", locale=current_language(), numbering_system="default"))


def milliseconds(ms) -> str:
    """A latency: "850 ms" below a second, "1.2 s" above."""
    if ms is None:
        return DASH
    if abs(ms) < 1000:
        return _("{value} ms").format(value=number(ms, 0))
    return _("{value} s").format(value=number(ms / 1000, 1))


def when(moment: datetime | None, tz=None) -> str:
    """A date and time, medium length ("Nov 30, 2026, 9:14:00 AM"); tz a tzinfo or IANA name."""
    if moment is None:
        return DASH
    return _native(format_datetime(moment, "medium", tzinfo=tz, locale=current_language()))


def stamp(moment: datetime | None, tz=None) -> str:
    """A date and time for a table cell: short, date first, no glue ("11/30/26 9:14 AM", fa "۲۰۲۶/۱۱/۳۰ ۹:۱۴")."""
    if moment is None:
        return DASH
    # fa's medium form (month name, Arabic comma, RLM) is right-to-left text: in the left-to-right table it starts
    # with the time, so a cut-off cell showed only the time. Digits and slashes keep the date first either way.
    locale = Locale.parse(current_language())
    pattern = f"{locale.date_formats['short'].pattern} {locale.time_formats['short'].pattern}"
    return _native(format_datetime(moment, pattern, tzinfo=tz, locale=locale))


def day(value: date | None) -> str:
    """A calendar date, medium length ("Nov 30, 2026")."""
    return DASH if value is None else _native(format_date(value, "medium", locale=current_language()))


# CLDR's digits per numbering system (Babel formats symbols by numbering system but always writes ASCII digits).
DIGITS = {"arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}


@cache
def _digits(language: str) -> dict[int, str]:
    return str.maketrans("0123456789", DIGITS.get(Locale.parse(language).default_numbering_system, "0123456789"))


def _native(text: str) -> str:
    """Text with the current language's own digits (Persian ۰–۹; most languages keep 0–9)."""
    return text.translate(_digits(current_language()))


def sentence(text: str) -> str:
    """`text` with only its first letter upper-cased (str.capitalize() lower-cases German nouns and names)."""
    return text[:1].upper() + text[1:]
