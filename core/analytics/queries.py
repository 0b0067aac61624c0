"""Every figure the analytics page shows, summed in the database from trigger-kept summary rows (rollups.py)
plus the log rows of partial slots at the range's edges (sources.py)."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import case, cast, func, literal_column, select
from sqlalchemy.engine import Connection, Engine

from .buckets import auto_grain, bucket, cuts
from .filters import FILTER_COLUMNS, LOG, Filters
from .rollups import BY_NAME, LOG_TABLE
from .sources import source

PERCENTILES = (50, 95)
TOP_ERRORS = 10
NONE_LABEL = "(none)"
HOURLY, USAGE, TONES, ERRORS, LATENCY = (BY_NAME[f"analytics_{name}"]
                                         for name in ("hourly", "usage", "tones", "errors", "latency"))


@dataclass
class Dashboard:
    """The aggregates behind the page; derived tables are roll-ups of these small results."""

    filters: Filters
    grain: str
    kpis: dict
    previous: dict | None
    volume: pd.DataFrame
    latency: pd.DataFrame
    usage: pd.DataFrame
    top_errors: pd.DataFrame
    tones_languages: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.kpis["generations"] == 0

    def __post_init__(self):
        self.tables = {
            "kpis": pd.DataFrame([{"period": "current", **self.kpis}]
                                 + ([{"period": "previous", **self.previous}] if self.previous else [])),
            "volume_by_type": self.volume,
            "over_time": over_time(self.volume),
            "by_type": by_type(self.volume),
            "latency_by_type": latency_for(self.latency, "type"),
            "latency_by_provider": latency_for(self.latency, "provider"),
            "usage_by_user": rollup(self.usage, "user"),
            "usage_by_model": rollup(self.usage, ["provider", "model"]),
            "top_errors": self.top_errors,
            "tones": count_by(self.tones_languages, "tone"),
            "languages": count_by(self.tones_languages, "language"),
        }


def dashboard(engine: Engine, filters: Filters, grain: str | None = None, workers: int = 2) -> Dashboard:
    """Compute every aggregate for filters; independent queries run side by side on their own connections."""
    grain = grain or auto_grain(filters.start, filters.end)
    previous = filters.previous()
    jobs = {"volume": lambda c: volume(c, filters, grain), "usage": lambda c: usage(c, filters),
            "latency": lambda c: latency_percentiles(c, filters),
            "tones_languages": lambda c: tones_languages(c, filters), "top_errors": lambda c: top_errors(c, filters),
            "previous": lambda c: kpis(c, previous) if previous else None}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(_on_connection, engine, job) for name, job in jobs.items()}
        results = {name: future.result() for name, future in futures.items()}
    return Dashboard(filters=filters, grain=grain, kpis=kpis_from(results["volume"], results["latency"]),
                     previous=results["previous"], volume=results["volume"], latency=results["latency"],
                     usage=results["usage"], top_errors=results["top_errors"],
                     tones_languages=results["tones_languages"])


def volume(conn: Connection, filters: Filters, grain: str) -> pd.DataFrame:
    """Generations, failures, cache hits, tokens and cost per local date bucket and type (hourly summary rows)."""
    span = _span(conn, filters)
    rows = source(HOURLY, filters, conn.dialect, cuts(grain, filters.tz, span), with_time=True).subquery()
    when = bucket(conn.dialect, grain, filters.tz, span, rows.c.ts).label("bucket")
    failed = _sum(case((rows.c.status == "failed", rows.c.generations), else_=0))
    query = (select(when, rows.c.type, _sum(rows.c.generations), failed, _sum(rows.c.cache_hits),
                    _sum(rows.c.tokens), _sum(rows.c.cost_usd)).group_by(when, rows.c.type))
    frame = _frame(conn, query, ["bucket", "type", "generations", "failed", "cache_hits", "tokens", "cost_usd"])
    frame["bucket"] = pd.to_datetime(frame["bucket"])
    return frame.sort_values(["bucket", "type"]).reset_index(drop=True)


def usage(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Generations, tokens and cost per user, provider and model."""
    rows = source(USAGE, filters, conn.dialect).subquery()
    keys = [rows.c.user, rows.c.provider, rows.c.model]
    measures = ["generations", "prompt_tokens", "completion_tokens", "tokens", "cost_usd"]
    query = select(*keys, *(_sum(rows.c[name]) for name in measures)).group_by(*keys)
    return _frame(conn, query, ["user", "provider", "model", *measures])


def latency_percentiles(conn: Connection, filters: Filters, dimensions=("type", "provider")) -> pd.DataFrame:
    """Nearest-rank p50/p95 and mean latency of provider calls (no cache hits): overall and per dimension.

    Percentiles come from a latency histogram (rollups.LATENCY_STEPS): each is the lower edge of the bin
    holding the nearest-rank value: exact below 100 ms, at most 2.5% below the exact value up to 1,000 s
    (1,234 ms counts as 1,220 ms), 100 s bins beyond. Means are exact.
    """
    rows = source(LATENCY, filters, conn.dialect).subquery()
    keys = [rows.c[name] for name in (*dimensions, "bin")]
    query = select(*keys, _sum(rows.c.calls), _sum(rows.c.total_ms)).group_by(*keys)
    histogram = _frame(conn, query, [*dimensions, "bin", "n", "total"])
    columns = ["dimension", "group", "generations", *(f"p{p}_ms" for p in PERCENTILES), "mean_ms"]
    if histogram.empty:
        return pd.DataFrame(columns=columns)
    groups = [("all", "", histogram)] + [(dim, name, part) for dim in dimensions
                                         for name, part in histogram.groupby(dim, sort=True)]
    found = []
    for dim, name, part in groups:
        per_bin = part.groupby("bin")["n"].sum().sort_index()
        count = int(per_bin.sum())
        found.append({"dimension": dim, "group": name, "generations": count,
                      **{f"p{p}_ms": _nearest_rank(per_bin, p) for p in PERCENTILES},
                      "mean_ms": float(part["total"].sum()) / count})
    return pd.DataFrame(found, columns=columns)


def _nearest_rank(per_bin: pd.Series, p: int) -> int:
    """The bin holding the nearest-rank p-th percentile, rank = ceil(p/100 * n), of counts per bin."""
    rank = (int(per_bin.sum()) * p + 99) // 100
    return int(per_bin.index[int(per_bin.cumsum().searchsorted(rank))])


def kpis(conn: Connection, filters: Filters) -> dict:
    """The KPI row for filters, straight from the database (used for the previous period)."""
    rows = source(HOURLY, filters, conn.dialect).subquery()
    succeeded = _sum(case((rows.c.status == "succeeded", rows.c.generations), else_=0))
    query = select(_sum(rows.c.generations), succeeded, _sum(rows.c.tokens), _sum(rows.c.cost_usd),
                   _sum(rows.c.cache_hits))
    count, succeeded, tokens, cost, cache_hits = conn.execute(query).one()
    overall = latency_percentiles(conn, filters, dimensions=())
    return _kpi_dict(count or 0, succeeded or 0, tokens or 0, cost or 0.0, cache_hits or 0, overall)


def kpis_from(volume: pd.DataFrame, latency: pd.DataFrame) -> dict:
    """The KPI row rolled up from the bucketed volume and the overall latency percentiles."""
    count = int(volume["generations"].sum())
    return _kpi_dict(count, count - int(volume["failed"].sum()), int(volume["tokens"].sum()),
                     float(volume["cost_usd"].sum()), int(volume["cache_hits"].sum()),
                     latency.query("dimension == 'all'"))


def _kpi_dict(count, succeeded, tokens, cost, cache_hits, overall: pd.DataFrame) -> dict:
    row = overall.iloc[0] if len(overall) else None
    return {"generations": int(count), "success_rate": succeeded / count if count else None,
            "tokens": int(tokens), "cost_usd": round(float(cost), 6),
            **{f"p{p}_ms": (int(row[f"p{p}_ms"]) if row is not None else None) for p in PERCENTILES},
            "cache_hit_rate": cache_hits / count if count else None}


def top_errors(conn: Connection, filters: Filters, limit: int = TOP_ERRORS) -> pd.DataFrame:
    """The most frequent failure messages (first 500 characters) with how often and when last seen."""
    rows = source(ERRORS, filters, conn.dialect).subquery()
    count = _sum(rows.c.failures).label("count")
    query = select(rows.c.error, count).group_by(rows.c.error).order_by(count.desc(), rows.c.error).limit(limit)
    found = conn.execute(query).all()
    key = literal_column(ERRORS.sql(ERRORS.dims["error"], LOG_TABLE))
    # The newest matching row through the (status, created_at) index: a few index steps per message.
    latest = [conn.execute(select(LOG.c.created_at).where(filters.conditions(), LOG.c.status == "failed", key == error)
                           .order_by(LOG.c.created_at.desc()).limit(1)).scalar() for error, _ in found]
    frame = pd.DataFrame([(error or NONE_LABEL, int(n), seen) for (error, n), seen in zip(found, latest)],
                         columns=["error", "count", "last_seen"])
    frame["last_seen"] = pd.to_datetime(frame["last_seen"], utc=True).dt.tz_convert(filters.tz)
    return frame


def tones_languages(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Generations per tone and language pair."""
    rows = source(TONES, filters, conn.dialect).subquery()
    query = (select(rows.c.tone, rows.c.language, _sum(rows.c.generations))
             .group_by(rows.c.tone, rows.c.language))
    return _frame(conn, query, ["tone", "language", "generations"])


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """The distinct values of each filterable column, for the page's multiselects."""
    with engine.connect() as conn:
        return {name: [v for v in conn.execute(distinct_values(LOG.c[name])).scalars() if v]
                for name in FILTER_COLUMNS}


def distinct_values(column):
    """A loose index scan: jump from each value to the next one through the column's index (milliseconds
    at a million rows, where SELECT DISTINCT would read every index entry)."""
    found = select(func.min(column).label("value")).cte(f"distinct_{column.name}", recursive=True)
    following = select(select(func.min(column)).where(column > found.c.value).scalar_subquery())
    found = found.union_all(following.where(found.c.value.is_not(None)))
    return select(found.c.value).where(found.c.value.is_not(None))


def over_time(volume: pd.DataFrame) -> pd.DataFrame:
    """Per bucket: generations, failures, error rate, cache hits and cache hit rate."""
    frame = volume.groupby("bucket", as_index=False)[["generations", "failed", "cache_hits"]].sum()
    frame["error_rate"] = frame["failed"] / frame["generations"]
    frame["cache_hit_rate"] = frame["cache_hits"] / frame["generations"]
    return frame


def by_type(volume: pd.DataFrame) -> pd.DataFrame:
    """Per type: generations, failures, error rate, tokens and cost."""
    frame = volume.groupby("type", as_index=False)[["generations", "failed", "tokens", "cost_usd"]].sum()
    frame["error_rate"] = frame["failed"] / frame["generations"]
    return frame


def latency_for(latency: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The latency rows of one dimension ("type" or "provider"), renamed for display."""
    return (latency[latency["dimension"] == dimension].drop(columns="dimension")
            .rename(columns={"group": dimension}).reset_index(drop=True))


def rollup(usage_frame: pd.DataFrame, keys) -> pd.DataFrame:
    """Usage summed by user or by provider/model, most expensive first."""
    columns = ["generations", "prompt_tokens", "completion_tokens", "tokens", "cost_usd"]
    frame = usage_frame.groupby(keys, as_index=False)[columns].sum()
    return frame.sort_values(["cost_usd", "tokens"], ascending=False).reset_index(drop=True)


def count_by(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Generations per tone or per language, most used first."""
    out = frame.groupby(key, as_index=False)["generations"].sum()
    return out.sort_values(["generations", key], ascending=[False, True]).reset_index(drop=True)


def _span(conn: Connection, filters: Filters) -> tuple[datetime, datetime] | None:
    """The instants bucketing must cover: the filter range, or the table's first..last row (indexed)."""
    if filters.is_bounded:
        return filters.start, filters.end
    # Two scalar subqueries: each is one index probe, where min() and max() in one SELECT scan the index.
    first, last = conn.execute(select(select(func.min(LOG.c.created_at)).scalar_subquery(),
                                      select(func.max(LOG.c.created_at)).scalar_subquery())).one()
    if first is None:
        return None
    return (filters.start or first), (filters.end or last)


def _sum(column):
    """SUM keeping the column's type (Postgres widens a BIGINT sum to NUMERIC, i.e. Decimal in Python)."""
    return cast(func.sum(column), column.type)


def _on_connection(engine: Engine, job):
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # Scans read through a memory map and sorts stay in RAM: a large speed-up at a million rows.
            conn.exec_driver_sql("PRAGMA mmap_size=1073741824")
            conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
        return job(conn)


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records([tuple(row) for row in conn.execute(query)], columns=columns)
    for name in ("provider", "model", "user", "tone", "language", "group", "type"):
        if name in frame:
            frame[name] = frame[name].replace("", NONE_LABEL)
    return frame
