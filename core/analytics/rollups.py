"""Summary tables kept current by database triggers, so the page reads thousands of rows, not a million.

A Rollup sums log rows per time slot (UTC hour or day) and a few dimensions. Triggers on generation_log
apply every INSERT, DELETE and UPDATE inside the writer's own transaction, whoever the writer is (the
pipeline, bulk runs, brand training, sections, demo data, plain SQL): SQLite gets one trigger per event,
Postgres one plpgsql function. Day rollups also keep 32-day block rows, so "all time" reads about a dozen
rows per group and year. `rebuild` recomputes every table from the log (migration, repair).

The SQL is generated from the specs below, so the triggers, the rebuild and the query side that reads
log rows for partial slots (sources.py) share one definition of every dimension and measure. Changing a
spec needs a migration calling `uninstall` then `install`. The triggers add about 0.15 ms to each log
insert on SQLite; bulk loads use `paused`. On Postgres, concurrent transactions that each insert many
log rows can deadlock on shared summary rows (Postgres aborts one, which may be retried); the app writes
one log row per transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Dialect
from sqlmodel import SQLModel

from ..errors import ContentCraftError
from ..models import GenerationLog
from ..i18n import _

HOUR, DAY = 3600, 86400
BLOCK_DAYS = 32
ERROR_CHARS = 500  # errors group by their first 500 characters (keeps a Postgres index row small)
LOG = GenerationLog.__table__
LOG_TABLE = LOG.name
EPOCH_START = datetime(1970, 1, 1, tzinfo=timezone.utc)
# SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" text and its date functions round to milliseconds, so the
# fraction is cut off first: 23:59:59.9999 must stay in its own day.
EPOCH = {"sqlite": "CAST(strftime('%s', substr({row}.\"created_at\", 1, 19)) AS INTEGER)",
         "postgresql": "CAST(floor(extract(epoch FROM {row}.\"created_at\")) AS BIGINT)"}
# Latency histogram bins: (values below, bin width in ms). 1-2-5 steps keep every bin within 2.5% of its
# lower edge (exact below 100 ms); a million log rows then fit in a few thousand rows per block.
LATENCY_STEPS = ((100, 1), (200, 2), (500, 5), (1_000, 10), (2_000, 20), (5_000, 50), (10_000, 100),
                 (20_000, 200), (50_000, 500), (100_000, 1_000), (200_000, 2_000), (500_000, 5_000),
                 (1_000_000, 10_000))
LATENCY_WIDTH_BEYOND = 100_000


def latency_bin(ms: int) -> int:
    """The lower edge of the histogram bin holding ms (what percentiles report)."""
    width = next((w for below, w in LATENCY_STEPS if ms < below), LATENCY_WIDTH_BEYOND)
    return ms // width * width


def _latency_bin_sql(value: str) -> str:
    steps = " ".join(f"WHEN {value} < {below} THEN {value} / {w} * {w}" for below, w in LATENCY_STEPS)
    return f"CASE {steps} ELSE {value} / {LATENCY_WIDTH_BEYOND} * {LATENCY_WIDTH_BEYOND} END"


def col(name: str) -> str:
    """A log column of the row being summed, as a template: {row} is NEW, OLD or the table name."""
    return '{row}."%s"' % name


CACHED = f"CASE WHEN {col('cache_hit')} THEN 1 ELSE 0 END"
_COLUMN_TYPES = {"type": sa.String(20), "status": sa.String(20), "user": sa.String(255), "provider": sa.String(40),
                 "model": sa.String(120), "tone": sa.String(40), "language": sa.String(8),
                 "error": sa.String(ERROR_CHARS), "bin": sa.BigInteger(), "cost_usd": sa.Float()}


@dataclass(frozen=True)
class Rollup:
    """Sums of measures per (slot, dims) over the log rows matching where; the first measure counts rows."""

    name: str
    unit: int
    levels: tuple[int, ...]
    dims: dict[str, str]
    measures: dict[str, str]
    where: str = "1 = 1"

    @property
    def table(self) -> sa.Table:
        return TABLES[self.name]

    @property
    def count(self) -> str:
        return next(iter(self.measures))

    def slot_sql(self, dialect: str, row: str, level: int = 1) -> str:
        """The row's slot number (UTC hours or days since 1970), rounded down to a multiple of level."""
        slot = f"({EPOCH[dialect].format(row=row)} / {self.unit})"
        return slot if level == 1 else f"({slot} / {level} * {level})"

    def sql(self, template: str, row: str) -> str:
        return template.format(row=row)

    def define(self, metadata: sa.MetaData) -> sa.Table:
        keys = [sa.Column(name, _COLUMN_TYPES[name], primary_key=True) for name in self.dims]
        sums = [sa.Column(name, _COLUMN_TYPES.get(name, sa.BigInteger()), nullable=False) for name in self.measures]
        # WITHOUT ROWID on SQLite: rows live in primary-key order, so range reads need no second lookup.
        return sa.Table(self.name, metadata, sa.Column("slots", sa.Integer, primary_key=True),
                        sa.Column("slot", sa.Integer, primary_key=True), *keys, *sums, sqlite_with_rowid=False)


ROLLUPS = (
    Rollup("analytics_hourly", HOUR, (1,), {"type": col("type"), "status": col("status")},
           {"generations": "1", "cache_hits": CACHED, "tokens": col("tokens"), "prompt_tokens": col("prompt_tokens"),
            "completion_tokens": col("completion_tokens"), "cost_usd": col("cost_usd")}),
    Rollup("analytics_usage", DAY, (1, BLOCK_DAYS),
           {"user": col("user"), "type": col("type"), "provider": col("provider"), "model": col("model")},
           {"generations": "1", "prompt_tokens": col("prompt_tokens"), "completion_tokens": col("completion_tokens"),
            "tokens": col("tokens"), "cost_usd": col("cost_usd")}),
    Rollup("analytics_tones", DAY, (1, BLOCK_DAYS), {"type": col("type"), "tone": col("tone"),
                                                     "language": col("language")}, {"generations": "1"}),
    Rollup("analytics_errors", DAY, (1, BLOCK_DAYS),
           {"type": col("type"), "error": f"substr(coalesce({col('error')}, ''), 1, {ERROR_CHARS})"},
           {"failures": "1"}, where=f"{col('status')} = 'failed'"),
    Rollup("analytics_latency", DAY, (1, BLOCK_DAYS),
           {"type": col("type"), "provider": col("provider"), "bin": _latency_bin_sql(col("latency_ms"))},
           {"calls": "1", "total_ms": col("latency_ms")}, where=f"NOT {col('cache_hit')}"),
)
TABLES = {rollup.name: rollup.define(SQLModel.metadata) for rollup in ROLLUPS}
BY_NAME = {rollup.name: rollup for rollup in ROLLUPS}
WATCHED = ("created_at", "user", "type", "status", "error", "provider", "model", "language", "tone", "tokens",
           "prompt_tokens", "completion_tokens", "cost_usd", "latency_ms", "cache_hit")


def _dialect(dialect: Dialect | str) -> str:
    name = dialect if isinstance(dialect, str) else dialect.name
    if name not in EPOCH:
        raise ContentCraftError(_("Analytics needs SQLite or PostgreSQL, not {name}: point "
                                  "CONTENTCRAFT_DATABASE_URL at one of them.").format(name=name))
    return name


def _q(name: str) -> str:
    return f'"{name}"'


def apply_sql(rollup: Rollup, dialect: str, row: str, sign: int) -> list[str]:
    """Upserts adding (sign 1) or removing (sign -1) one log row to every level of rollup."""
    table, keys = _q(rollup.name), ["slots", "slot", *rollup.dims]
    updates = ", ".join(f"{_q(m)} = {table}.{_q(m)} + excluded.{_q(m)}" for m in rollup.measures)
    values = [*(rollup.sql(d, row) for d in rollup.dims.values()),
              *(rollup.sql(m, row) if sign == 1 else f"-({rollup.sql(m, row)})" for m in rollup.measures.values())]
    columns = ", ".join(_q(name) for name in (*keys, *rollup.measures))
    return [f"INSERT INTO {table} ({columns}) SELECT {level}, {rollup.slot_sql(dialect, row, level)}, "
            f"{', '.join(values)} WHERE {rollup.sql(rollup.where, row)} "
            f"ON CONFLICT ({', '.join(map(_q, keys))}) DO UPDATE SET {updates}" for level in rollup.levels]


def cleanup_sql(rollup: Rollup, dialect: str, row: str) -> list[str]:
    """Deletes of the summary rows a removed log row brought to zero (so no empty groups show up)."""
    dims = " AND ".join(f"{_q(name)} = {rollup.sql(d, row)}" for name, d in rollup.dims.items())
    return [f"DELETE FROM {_q(rollup.name)} WHERE {_q('slots')} = {level} AND "
            f"{_q('slot')} = {rollup.slot_sql(dialect, row, level)} AND {dims} AND {_q(rollup.count)} = 0"
            for level in rollup.levels]


def trigger_sql(dialect: Dialect | str) -> list[str]:
    """The statements creating the triggers that keep every rollup current."""
    name = _dialect(dialect)
    add = [s for r in ROLLUPS for s in apply_sql(r, name, "NEW", 1)]
    remove = [s for r in ROLLUPS for s in (*apply_sql(r, name, "OLD", -1), *cleanup_sql(r, name, "OLD"))]
    watched = ", ".join(map(_q, WATCHED))
    if name == "sqlite":
        body = lambda statements: "".join(f"  {s};\n" for s in statements)  # noqa: E731
        return [f"CREATE TRIGGER analytics_after_insert AFTER INSERT ON {LOG_TABLE} BEGIN\n{body(add)}END",
                f"CREATE TRIGGER analytics_after_delete AFTER DELETE ON {LOG_TABLE} BEGIN\n{body(remove)}END",
                f"CREATE TRIGGER analytics_after_update AFTER UPDATE OF {watched} ON {LOG_TABLE} BEGIN\n"
                f"{body(remove + add)}END"]
    block = lambda statements: "".join(f"    {s};\n" for s in statements)  # noqa: E731
    function = (f"CREATE OR REPLACE FUNCTION analytics_rollup() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                f"  IF TG_OP <> 'INSERT' THEN\n{block(remove)}  END IF;\n"
                f"  IF TG_OP <> 'DELETE' THEN\n{block(add)}  END IF;\n  RETURN NULL;\nEND $$")
    return [function, f"CREATE TRIGGER analytics_rollup AFTER INSERT OR DELETE OR UPDATE OF {watched} "
                      f"ON {LOG_TABLE} FOR EACH ROW EXECUTE FUNCTION analytics_rollup()"]


def drop_trigger_sql(dialect: Dialect | str) -> list[str]:
    if _dialect(dialect) == "sqlite":
        return [f"DROP TRIGGER IF EXISTS analytics_after_{event}" for event in ("insert", "delete", "update")]
    return [f"DROP TRIGGER IF EXISTS analytics_rollup ON {LOG_TABLE}", "DROP FUNCTION IF EXISTS analytics_rollup()"]


def rebuild_sql(rollup: Rollup, dialect: Dialect | str, since: bool = False) -> tuple[str, list[str]]:
    """The DELETE and INSERTs recomputing rollup from the log (from the :since block on, if since): slot
    rows by GROUP BY, then block rows from the slot rows."""
    name, table = _dialect(dialect), _q(rollup.name)
    columns = ", ".join(_q(c) for c in ("slots", "slot", *rollup.dims, *rollup.measures))
    dims = [rollup.sql(d, LOG_TABLE) for d in rollup.dims.values()]
    sums = ", ".join(f"sum({rollup.sql(m, LOG_TABLE)})" for m in rollup.measures.values())
    slot, keys = rollup.slot_sql(name, LOG_TABLE), ", ".join(map(_q, rollup.dims))
    recent = f" AND {_q('slot')} >= :since_slot" if since else ""
    fill = [f"INSERT INTO {table} ({columns}) SELECT 1, {slot}, {', '.join(dims)}, {sums} FROM {LOG_TABLE} "
            f"WHERE {rollup.sql(rollup.where, LOG_TABLE)}{' AND created_at >= :since' if since else ''} "
            f"GROUP BY {slot}, {', '.join(dims)}"]
    for level in rollup.levels[1:]:
        block = f"{_q('slot')} / {level} * {level}"
        fill.append(f"INSERT INTO {table} ({columns}) SELECT {level}, {block}, {keys}, "
                    f"{', '.join(f'sum({_q(m)})' for m in rollup.measures)} FROM {table} "
                    f"WHERE {_q('slots')} = 1{recent} GROUP BY {block}, {keys}")
    return f"DELETE FROM {table} WHERE 1 = 1{recent}", fill


def rebuild(conn: Connection, since: datetime | None = None) -> None:
    """Recompute every rollup from the log, or from the 32-day block holding since on (caller's transaction)."""
    _clear(conn, since)
    _fill(conn, since)


def _clear(conn: Connection, since: datetime | None) -> None:
    for rollup in ROLLUPS:
        _run(conn, rollup, rebuild_sql(rollup, conn.dialect, since is not None)[0], since)


def _fill(conn: Connection, since: datetime | None) -> None:
    for rollup in ROLLUPS:
        for statement in rebuild_sql(rollup, conn.dialect, since is not None)[1]:
            _run(conn, rollup, statement, since)


def _run(conn: Connection, rollup: Rollup, statement: str, since: datetime | None) -> None:
    params, clause = {}, text(statement)
    if since is not None:
        day = (since - EPOCH_START) // timedelta(days=1) // BLOCK_DAYS * BLOCK_DAYS
        params = {"since": EPOCH_START + timedelta(days=day), "since_slot": day * DAY // rollup.unit}
        if ":since " in statement:
            clause = clause.bindparams(bindparam("since", type_=LOG.c.created_at.type))
    conn.execute(clause, params)


@contextmanager
def paused(conn: Connection, since: datetime) -> Iterator[None]:
    """Bulk loads: no triggers while the block inserts, then the rollups are rebuilt from since (the first
    new row's time) on, all in the caller's transaction (DDL is transactional in SQLite and Postgres).
    Clearing the summary rows comes first: that write opens the transaction under pysqlite, which would
    otherwise commit the DROP TRIGGER on its own."""
    _clear(conn, since)
    for statement in drop_trigger_sql(conn.dialect):
        conn.exec_driver_sql(statement)
    yield
    _fill(conn, since)
    for statement in trigger_sql(conn.dialect):
        conn.exec_driver_sql(statement)


def install(conn: Connection) -> None:
    """Create the rollup tables and triggers, and fill the tables from the log rows already there."""
    for table in TABLES.values():
        table.create(conn, checkfirst=True)
    for statement in [*drop_trigger_sql(conn.dialect), *trigger_sql(conn.dialect)]:
        conn.exec_driver_sql(statement)
    rebuild(conn)


def uninstall(conn: Connection) -> None:
    """Drop the triggers and the rollup tables."""
    for statement in drop_trigger_sql(conn.dialect):
        conn.exec_driver_sql(statement)
    for table in reversed(TABLES.values()):
        table.drop(conn, checkfirst=True)
