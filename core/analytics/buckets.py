"""Local-time date buckets (day, week, month) as a SQL expression for SQLite and Postgres."""

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import ColumnElement, case, func, literal
from sqlalchemy.engine import Dialect

from .filters import zone

GRAINS = ("day", "week", "month")
_SQLITE_FORMAT = {"day": ("%Y-%m-%d",), "week": ("%Y-%m-%d", "weekday 0", "-6 days"), "month": ("%Y-%m-01",)}
_POSTGRES_FORMAT = "YYYY-MM-DD"


def auto_grain(start: datetime | None, end: datetime | None) -> str:
    """Days up to three months, weeks up to a year, months beyond (or for open ranges)."""
    if start is None or end is None:
        return "month"
    days = (end - start).days
    return "day" if days <= 92 else "week" if days <= 366 else "month"


def bucket(dialect: Dialect, grain: str, tz_name: str, span: tuple[datetime, datetime] | None,
           ts: ColumnElement[int]) -> ColumnElement[str]:
    """ts (UTC epoch seconds) truncated to the local day, week (starting Monday) or month, as "YYYY-MM-DD".

    SQLite has no zone database, so the UTC offsets in force over span are computed here and added with
    a CASE over the transition instants (integer arithmetic); Postgres converts with AT TIME ZONE itself.
    """
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    if dialect.name == "postgresql":
        local = func.to_timestamp(ts).op("AT TIME ZONE")(literal(zone(tz_name).key))
        return func.to_char(func.date_trunc(grain, local), _POSTGRES_FORMAT)
    pattern, *modifiers = _SQLITE_FORMAT[grain]
    return func.strftime(pattern, ts + _sqlite_offset(tz_name, span, ts), "unixepoch", *modifiers)


def cuts(grain: str, tz_name: str, span: tuple[datetime, datetime] | None) -> tuple[datetime, ...]:
    """The instants in or next to span where local buckets begin, when some offset there is not whole hours.

    Hourly summary rows never straddle a bucket in whole-hour zones; in zones like Asia/Kolkata (+05:30)
    the hours holding local midnight are read from the log instead.
    """
    if span is None or all(minutes % 60 == 0 for _, minutes in offset_periods(tz_name, *span)):
        return ()
    # Widened by an hour: the summary hours holding the first and last rows reach past them.
    span = (span[0] - timedelta(hours=1), span[1] + timedelta(hours=1))
    tz = zone(tz_name)
    day = span[0].astimezone(tz).date()
    day = {"day": day, "week": day - timedelta(days=day.weekday()), "month": day.replace(day=1)}[grain]
    found = []
    while (moment := datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)) < span[1]:
        if moment > span[0]:
            found.append(moment)
        day = (day + timedelta(days=1 if grain == "day" else 7) if grain != "month"
               else (day + timedelta(days=32)).replace(day=1))
    return tuple(found)


def offset_periods(tz_name: str, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """[(from_instant, utc_offset_minutes), ...] covering [start, end]; the first from_instant is None."""
    tz = zone(tz_name)
    minutes = lambda moment: int(moment.astimezone(tz).utcoffset().total_seconds() // 60)  # noqa: E731
    periods: list[tuple[datetime | None, int]] = [(None, minutes(start))]
    cursor = start
    while cursor < end:
        step = min(cursor + timedelta(days=1), end)
        if minutes(step) != periods[-1][1]:
            periods.append((_first_change(cursor, step, minutes), minutes(step)))
        cursor = step
    return periods


def _first_change(before: datetime, after: datetime, minutes) -> datetime:
    """The first whole second in (before, after] whose offset differs from before's (bisection)."""
    old, low, high = minutes(before), int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if minutes(_instant(middle)) != old else (middle, high)
    return _instant(high)


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _sqlite_offset(tz_name: str, span: tuple[datetime, datetime] | None, ts: ColumnElement[int]):
    """Seconds to add to a UTC epoch for local time: a constant, or a CASE across DST changes."""
    if span is None:
        now = datetime.now(timezone.utc)
        span = (now, now)
    periods = offset_periods(tz_name, *span)
    if len(periods) == 1:
        return literal(periods[0][1] * 60)
    whens = [(ts < int(periods[i + 1][0].timestamp()), literal(offset * 60))
             for i, (_, offset) in enumerate(periods[:-1])]
    return case(*whens, else_=literal(periods[-1][1] * 60))
