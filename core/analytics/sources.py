"""Where a figure reads its rows from: summary rows for whole slots inside the range, log rows for the rest.

A range [start, end) splits into whole 32-day blocks, whole days (or hours) and the partial slots at
its edges; the log rows of those partial slots (and of any slot a bucket boundary cuts, e.g. local
midnight in a +05:30 zone) are read with the same dimension and measure expressions the triggers use,
so the union sums to exactly what a GROUP BY over the log would. Filters on a column the rollup does not
keep send the whole range to the log table.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import BigInteger, ColumnElement, Select, and_, cast, literal_column, or_, select, true, union_all
from sqlalchemy.engine import Dialect

from .filters import FILTER_COLUMNS, LOG, Filters
from .rollups import EPOCH, LOG_TABLE, Rollup, _dialect

EPOCH_START = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_LOG_PIECES = 200  # beyond this many partial slots, one scan of the log range is cheaper
USE_SUMMARIES = True  # off: every figure reads the log table (tests compare both; the benchmark times both)


@dataclass
class Plan:
    """Log-row intervals plus (slots per row, first slot, end slot) ranges of summary rows."""

    log: list[tuple[datetime | None, datetime | None]] = field(default_factory=list)
    summary: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    skip: tuple[int, ...] = ()


def slot_of(moment: datetime, unit: int) -> int:
    """The slot holding moment (floor)."""
    return (moment - EPOCH_START) // timedelta(seconds=unit)


def slot_start(slot: int, unit: int) -> datetime:
    return EPOCH_START + timedelta(seconds=slot * unit)


def plan(start: datetime | None, end: datetime | None, unit: int, levels: tuple[int, ...],
         cuts: tuple[datetime, ...] = ()) -> Plan:
    """Split [start, end) into summary slot ranges and log intervals; slots holding a cut go to the log."""
    low = None if start is None else -(-(start - EPOCH_START) // timedelta(seconds=unit))
    high = None if end is None else slot_of(end, unit)
    if low is not None and high is not None and low >= high:
        return Plan(log=[(start, end)])
    result = Plan(summary=_levels(low, high, sorted(levels, reverse=True)))
    if start is not None and slot_start(low, unit) != start:
        result.log.append((start, slot_start(low, unit)))
    if end is not None and slot_start(high, unit) != end:
        result.log.append((slot_start(high, unit), end))
    cut_slots = {slot_of(c, unit) for c in cuts if slot_start(slot_of(c, unit), unit) != c}
    result.skip = tuple(sorted(s for s in cut_slots if (low is None or s >= low) and (high is None or s < high)))
    if result.skip and levels != (1,):
        raise ValueError("cuts need a rollup with one level")
    result.log += [(slot_start(s, unit), slot_start(s + 1, unit)) for s in result.skip]
    return result


def _levels(low: int | None, high: int | None, levels: list[int]) -> list[tuple[int, int | None, int | None]]:
    """Cover [low, high) with the largest aligned blocks first, then smaller ones at the ends."""
    if not levels or (low is not None and high is not None and low >= high):
        return []
    size, rest = levels[0], levels[1:]
    first = None if low is None else -(-low // size) * size
    last = None if high is None else high // size * size
    if first is not None and last is not None and first >= last:
        return _levels(low, high, rest)
    ranges = [(size, first, last)]
    if first is not None:
        ranges = _levels(low, first, rest) + ranges
    if last is not None:
        ranges += _levels(last, high, rest)
    return ranges


def served(rollup: Rollup, filters: Filters) -> bool:
    """Whether every column filters narrows is a dimension of rollup."""
    return all(name in rollup.dims for name in FILTER_COLUMNS if getattr(filters, name))


def source(rollup: Rollup, filters: Filters, dialect: Dialect, cuts: tuple[datetime, ...] = (),
           with_time: bool = False) -> Select:
    """Rows with rollup's dims and measures (and ts, epoch seconds, if with_time) covering filters."""
    if USE_SUMMARIES and served(rollup, filters):
        steps = plan(filters.start, filters.end, rollup.unit, rollup.levels, cuts)
        if len(steps.log) > MAX_LOG_PIECES:
            steps = Plan(log=[(filters.start, filters.end)])
    else:
        steps = Plan(log=[(filters.start, filters.end)])
    parts = [_summary_part(rollup, filters, steps, level, first, last, with_time)
             for level, first, last in steps.summary]
    if steps.log:
        parts.append(_log_part(rollup, filters, dialect, steps.log, with_time))
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _summary_part(rollup: Rollup, filters: Filters, steps: Plan, level: int, first, last, with_time) -> Select:
    table = rollup.table
    where = [table.c.slots == level]
    if first is not None:
        where.append(table.c.slot >= first)
    if last is not None:
        where.append(table.c.slot < last)
    if level == 1 and steps.skip:
        where.append(table.c.slot.not_in(steps.skip))
    where += [table.c[name].in_(getattr(filters, name)) for name in FILTER_COLUMNS if getattr(filters, name)]
    time = [(cast(table.c.slot, BigInteger) * rollup.unit).label("ts")] if with_time else []
    return select(*time, *(table.c[name] for name in (*rollup.dims, *rollup.measures))).where(*where)


def _log_part(rollup: Rollup, filters: Filters, dialect: Dialect, intervals, with_time) -> Select:
    def expression(template: str, name: str):
        kind = rollup.table.c[name].type if name in rollup.table.c else BigInteger()
        return literal_column(rollup.sql(template, LOG_TABLE), kind).label(name)

    time = [expression(EPOCH[_dialect(dialect)], "ts")] if with_time else []
    columns = [*time, *(expression(d, name) for name, d in rollup.dims.items()),
               *(expression(m, name) for name, m in rollup.measures.items())]
    return (select(*columns).select_from(LOG)
            .where(literal_column(rollup.sql(rollup.where, LOG_TABLE)), filters.column_conditions(),
                   or_(*(_between(a, b) for a, b in intervals))))


def _between(start: datetime | None, end: datetime | None) -> ColumnElement[bool]:
    parts = [LOG.c.created_at >= start] if start is not None else []
    if end is not None:
        parts.append(LOG.c.created_at < end)
    return and_(true(), *parts)
