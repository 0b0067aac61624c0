"""Dates and times as people read them: Babel's locale patterns in the current UI language, always in UTC."""

from datetime import datetime, timezone

from babel import Locale
from babel.dates import format_date, format_time

from .i18n import current_language


def human_time(moment: datetime | None, empty: str = "") -> str:
    """E.g. "Nov 30, 2026, 8:05 AM UTC": the locale's medium date and short time (naive means UTC); `empty` for None."""
    if moment is None:
        return empty
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    locale = Locale.parse(current_language())
    time = format_time(aware, "short", tzinfo=timezone.utc, locale=locale)
    return locale.datetime_formats["medium"].format(time, format_date(aware, "medium", locale=locale)) + " UTC"
