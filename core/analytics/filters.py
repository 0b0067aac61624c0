"""What the dashboard looks at: a date range in a display zone plus column filters, as SQL conditions."""

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, true

from ..errors import ValidationFailedError
from ..models import GenerationLog
from ..i18n import _

LOG = GenerationLog.__table__
TYPES = ("content", "product", "bulk", "brand", "seo")
STATUSES = ("succeeded", "needs_review", "failed")
# Columns the page filters on, in the order its widgets appear.
FILTER_COLUMNS = ("user", "type", "provider", "model", "language", "status")
PRESETS = ("Today", "Last 7 days", "Last 30 days", "Last 90 days", "This month", "Last month",
           "Year to date", "All time")
DEFAULT_PRESET = "Last 30 days"


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone called name (UTC when empty)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailedError(_("Unknown time zone {name!r}: use an IANA name such as Europe/Berlin.")
                                    .format(name=name)) from None


@dataclass(frozen=True)
class Filters:
    """A half-open UTC range [start, end) (None = unbounded), the display zone and per-column choices."""

    start: datetime | None = None
    end: datetime | None = None
    tz: str = "UTC"
    user: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    provider: tuple[str, ...] = ()
    model: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    @property
    def is_bounded(self) -> bool:
        return self.start is not None and self.end is not None

    def previous(self) -> "Filters | None":
        """The same filters over the equally long period just before this one (None for open ranges)."""
        if not self.is_bounded:
            return None
        return replace(self, start=self.start - (self.end - self.start), end=self.start)

    def conditions(self) -> ColumnElement[bool]:
        """The WHERE clause selecting these rows."""
        parts = []
        if self.start is not None:
            parts.append(LOG.c.created_at >= self.start)
        if self.end is not None:
            parts.append(LOG.c.created_at < self.end)
        return and_(true(), *parts, self.column_conditions())

    def column_conditions(self) -> ColumnElement[bool]:
        """The WHERE clause of the column choices alone (no date range)."""
        return and_(true(), *(LOG.c[name].in_(getattr(self, name)) for name in FILTER_COLUMNS if getattr(self, name)))

    def describe(self) -> str:
        """A one-line human summary, for reports and CSV file names."""
        tz = zone(self.tz)
        span = "all time" if not self.is_bounded else (
            f"{self.start.astimezone(tz):%Y-%m-%d %H:%M} to {self.end.astimezone(tz):%Y-%m-%d %H:%M} {self.tz}")
        chosen = [f"{name}={','.join(getattr(self, name))}" for name in FILTER_COLUMNS if getattr(self, name)]
        return " · ".join([span, *chosen])


def preset_range(preset: str, tz_name: str = "UTC",
                 now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """The UTC [start, end) of a preset, with day boundaries at local midnight in tz_name."""
    tz = zone(tz_name)
    local_now = (now or datetime.now(timezone.utc)).astimezone(tz)
    today = local_now.date()
    tomorrow = today + timedelta(days=1)
    if preset == "All time":
        return None, None
    if preset == "Today":
        first, after = today, tomorrow
    elif match := re.fullmatch(r"Last (\d+) days", preset):
        first, after = today - timedelta(days=int(match.group(1)) - 1), tomorrow
    elif preset == "This month":
        first, after = today.replace(day=1), tomorrow
    elif preset == "Last month":
        after = today.replace(day=1)
        first = (after - timedelta(days=1)).replace(day=1)
    elif preset == "Year to date":
        first, after = today.replace(month=1, day=1), tomorrow
    else:
        raise ValidationFailedError(_("Unknown date range {preset!r}: choose one of {presets}.")
                                    .format(preset=preset, presets=', '.join(PRESETS)))
    return _local_midnight(first, tz), _local_midnight(after, tz)


def date_range(first, last, tz_name: str = "UTC") -> tuple[datetime, datetime]:
    """The UTC [start, end) covering the local calendar days first..last inclusive."""
    if last < first:
        raise ValidationFailedError(_("The end date is before the start date: pick the dates the other way round."))
    tz = zone(tz_name)
    return _local_midnight(first, tz), _local_midnight(last + timedelta(days=1), tz)


def since(text: str, tz_name: str = "UTC", now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """The range for a CLI --since value: "30d", "90d" or "all"."""
    if text == "all":
        return None, None
    match = re.fullmatch(r"(\d+)d", text.strip())
    if not match or int(match.group(1)) < 1:
        raise ValidationFailedError(_("--since {text!r} is not understood: use a number of days like 30d, or all.")
                                    .format(text=text))
    return preset_range(f"Last {int(match.group(1))} days", tz_name, now)


def _local_midnight(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
