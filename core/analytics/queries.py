"""Every figure the analytics page shows, computed by GROUP BY and window functions in the database."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import Integer, case, cast, false, func, or_, select
from sqlalchemy.engine import Connection, Engine

from .buckets import auto_grain, bucket
from .filters import FILTER_COLUMNS, LOG, Filters

PERCENTILES = (50, 95)
LATENCY_BIN_MS = 100
TOP_ERRORS = 10
NONE_LABEL = "(none)"
CUBE_MEASURES = ["generations", "failed", "cache_hits", "tokens", "prompt_tokens", "completion_tokens", "cost_usd"]
_FAILED = func.sum(case((LOG.c.status == "failed", 1), else_=0))
_SUCCEEDED = func.sum(case((LOG.c.status == "succeeded", 1), else_=0))
_CACHE_HITS = func.sum(cast(LOG.c.cache_hit, Integer))


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
    jobs = {"cube": lambda c: cube(c, filters, grain), "latency": lambda c: latency_percentiles(c, filters),
            "tones_languages": lambda c: tones_languages(c, filters), "top_errors": lambda c: top_errors(c, filters),
            "previous": lambda c: kpis(c, previous) if previous else None}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(_on_connection, engine, job) for name, job in jobs.items()}
        results = {name: future.result() for name, future in futures.items()}
    volume = volume_from(results["cube"])
    return Dashboard(filters=filters, grain=grain, kpis=kpis_from(volume, results["latency"]),
                     previous=results["previous"], volume=volume, latency=results["latency"],
                     usage=usage_from(results["cube"]), top_errors=results["top_errors"],
                     tones_languages=results["tones_languages"])


def cube(conn: Connection, filters: Filters, grain: str) -> pd.DataFrame:
    """One GROUP BY over (date bucket, type, user, provider, model): the page's counts and sums roll up from it."""
    when = bucket(conn.dialect, grain, filters.tz, _span(conn, filters)).label("bucket")
    keys = [when, LOG.c.type, LOG.c.user, LOG.c.provider, LOG.c.model]
    query = (select(*keys, func.count(), _FAILED, _CACHE_HITS, func.sum(LOG.c.tokens), func.sum(LOG.c.prompt_tokens),
                    func.sum(LOG.c.completion_tokens), func.sum(LOG.c.cost_usd))
             .where(filters.conditions()).group_by(*keys))
    frame = _frame(conn, query, ["bucket", "type", "user", "provider", "model", *CUBE_MEASURES])
    frame["bucket"] = pd.to_datetime(frame["bucket"])
    return frame


def volume_from(cube_frame: pd.DataFrame) -> pd.DataFrame:
    """Generations, failures, cache hits, tokens and cost per local date bucket and type."""
    columns = ["generations", "failed", "cache_hits", "tokens", "cost_usd"]
    return (cube_frame.groupby(["bucket", "type"], as_index=False)[columns].sum()
            .sort_values(["bucket", "type"]).reset_index(drop=True))


def usage_from(cube_frame: pd.DataFrame) -> pd.DataFrame:
    """Generations, tokens and cost per user, provider and model."""
    columns = ["generations", "prompt_tokens", "completion_tokens", "tokens", "cost_usd"]
    return cube_frame.groupby(["user", "provider", "model"], as_index=False)[columns].sum()


def latency_percentiles(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Exact nearest-rank p50/p95 and mean latency of provider calls (no cache hits): overall, by type, by provider.

    Two GROUP BY passes instead of sorting every row: a histogram of 100 ms bins per (type, provider)
    finds the bin holding each percentile's rank, then exact value counts inside just those bins pick it.
    """
    where = [filters.conditions(), LOG.c.cache_hit == false()]
    bin_ = (LOG.c.latency_ms // LATENCY_BIN_MS).label("bin")
    histogram = (select(LOG.c.type, LOG.c.provider, bin_, func.count(), func.sum(LOG.c.latency_ms))
                 .where(*where).group_by(LOG.c.type, LOG.c.provider, bin_))
    coarse = _frame(conn, histogram, ["type", "provider", "bin", "n", "total"])
    columns = ["dimension", "group", "generations", *(f"p{p}_ms" for p in PERCENTILES), "mean_ms"]
    if coarse.empty:
        return pd.DataFrame(columns=columns)
    groups = [("all", "", coarse)] + [(dim, name, part) for dim in ("type", "provider")
                                       for name, part in coarse.groupby(dim, sort=True)]
    targets = {(dim, name, p): _rank_in_bin(part, p) for dim, name, part in groups for p in PERCENTILES}
    bins = sorted({target[0] for target in targets.values()})
    exact = pd.DataFrame(columns=["type", "provider", "latency_ms", "n"])
    if bins:
        in_bins = or_(*(LOG.c.latency_ms.between(b * LATENCY_BIN_MS, (b + 1) * LATENCY_BIN_MS - 1) for b in bins))
        keys = [LOG.c.type, LOG.c.provider, LOG.c.latency_ms]
        exact = _frame(conn, select(*keys, func.count()).where(*where, in_bins).group_by(*keys),
                       ["type", "provider", "latency_ms", "n"])
    rows = []
    for dim, name, part in groups:
        subset = exact if dim == "all" else exact[exact[dim] == name]
        picked = {f"p{p}_ms": _value_at(subset, *targets[(dim, name, p)]) for p in PERCENTILES}
        count = int(part["n"].sum())
        rows.append({"dimension": dim, "group": name, "generations": count, **picked,
                     "mean_ms": float(part["total"].sum()) / count})
    return pd.DataFrame(rows, columns=columns)


def _rank_in_bin(part: pd.DataFrame, p: int) -> tuple[int, int]:
    """(bin, rank within the bin) of the nearest-rank p-th percentile, rank = ceil(p/100 * n)."""
    per_bin = part.groupby("bin")["n"].sum().sort_index()
    rank = (int(per_bin.sum()) * p + 99) // 100
    cumulative = per_bin.cumsum()
    position = int(cumulative.searchsorted(rank))
    before = int(cumulative.iloc[position - 1]) if position else 0
    return int(per_bin.index[position]), rank - before


def _value_at(exact: pd.DataFrame, bin_: int, rank: int) -> int:
    """The rank-th smallest latency inside bin_, from exact per-value counts."""
    low = bin_ * LATENCY_BIN_MS
    values = exact[(exact["latency_ms"] >= low) & (exact["latency_ms"] < low + LATENCY_BIN_MS)]
    counts = values.groupby("latency_ms")["n"].sum().sort_index().cumsum()
    return int(counts.index[int(counts.searchsorted(rank))])


def kpis(conn: Connection, filters: Filters) -> dict:
    """The KPI row for filters, straight from the database (used for the previous period)."""
    query = select(func.count(), _SUCCEEDED, func.sum(LOG.c.tokens), func.sum(LOG.c.cost_usd), _CACHE_HITS
                   ).where(filters.conditions())
    count, succeeded, tokens, cost, cache_hits = conn.execute(query).one()
    overall = latency_percentiles(conn, filters).query("dimension == 'all'")
    return _kpi_dict(count, succeeded or 0, tokens or 0, cost or 0.0, cache_hits or 0, overall)


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
    """The most frequent failure messages with how often and when last seen."""
    count = func.count().label("count")
    query = (select(LOG.c.error, count, func.max(LOG.c.created_at).label("last_seen"))
             .where(filters.conditions(), LOG.c.status == "failed")
             .group_by(LOG.c.error).order_by(count.desc(), LOG.c.error).limit(limit))
    frame = _frame(conn, query, ["error", "count", "last_seen"])
    frame["error"] = frame["error"].fillna(NONE_LABEL)
    frame["last_seen"] = pd.to_datetime(frame["last_seen"], utc=True).dt.tz_convert(filters.tz)
    return frame


def tones_languages(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Generations per tone and language pair."""
    query = (select(LOG.c.tone, LOG.c.language, func.count().label("generations"))
             .where(filters.conditions()).group_by(LOG.c.tone, LOG.c.language))
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
    first, last = conn.execute(select(func.min(LOG.c.created_at), func.max(LOG.c.created_at))).one()
    if first is None:
        return None
    return (filters.start or first), (filters.end or last)


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
