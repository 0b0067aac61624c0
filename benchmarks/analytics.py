"""Analytics at scale: every figure the page shows, in SQL vs loading all rows into pandas, side by side.

    .venv/bin/python benchmarks/analytics.py [--rows 1000000] [--tz Europe/Berlin]

Fills a temporary SQLite file with demo logs (summary tables rebuilt once after the bulk insert), then
times the default 30-day view, "all time", and "all time" for one user (a filter the summary tables do not
keep, so those figures read the log table). "summaries" is the page's path; "log only" is the same SQL
with the summary tables switched off. Percentiles are compared after rounding pandas' exact values down
to the latency histogram's bins (rollups.latency_bin).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analytics.demo import generate_demo_rows  # noqa: E402
from core.analytics.filters import Filters, preset_range  # noqa: E402
from core.analytics import sources  # noqa: E402
from core.analytics.queries import dashboard, filter_options  # noqa: E402
from core.analytics.rollups import latency_bin  # noqa: E402
from core.db import make_engine, upgrade  # noqa: E402

COLUMNS = ["created_at", "user", "type", "provider", "model", "language", "tone", "status", "error", "tokens",
           "prompt_tokens", "completion_tokens", "cost_usd", "latency_ms", "cache_hit"]
PERIOD = {"day": "D", "week": "W-SUN", "month": "M"}  # pandas weeks ending Sunday start on Monday


def in_pandas(engine, filters: Filters, grain: str) -> dict:
    """The same figures the naive way: read the whole log table, then filter and aggregate in pandas."""
    quoted = ", ".join(f'"{column}"' for column in COLUMNS)
    frame = pd.read_sql(f"SELECT {quoted} FROM generation_log", engine)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    options = {name: sorted(frame[name].dropna().unique()) for name in ("user", "type", "provider", "model")}

    def window(start, end):
        mask = pd.Series(True, index=frame.index)
        if start is not None:
            mask &= (frame["created_at"] >= start) & (frame["created_at"] < end)
        for name in ("user", "type", "provider", "model", "language", "status"):
            if getattr(filters, name):
                mask &= frame[name].isin(getattr(filters, name))
        return frame[mask]

    def kpis(rows):
        calls = rows.loc[~rows["cache_hit"].astype(bool), "latency_ms"]
        pct = (np.percentile(calls, [50, 95], method="inverted_cdf").astype(int).tolist() if len(calls) else [None] * 2)
        return {"generations": len(rows), "tokens": int(rows["tokens"].sum()),
                **{key: None if value is None else latency_bin(value) for key, value in zip(("p50_ms", "p95_ms"), pct)}}

    rows = window(filters.start, filters.end)
    local = rows["created_at"].dt.tz_convert(filters.tz).dt.tz_localize(None)
    buckets = local.dt.to_period(PERIOD[grain]).dt.start_time
    volume = rows.groupby([buckets, rows["type"]]).agg(n=("tokens", "size"), tokens=("tokens", "sum"),
                                                       cost=("cost_usd", "sum"))
    calls = rows[~rows["cache_hit"].astype(bool)]
    for key in ("type", "provider"):
        calls.groupby(key)["latency_ms"].quantile([0.5, 0.95], interpolation="higher")
    rows.groupby(["user", "provider", "model"])[["tokens", "cost_usd"]].sum()
    rows[rows["status"] == "failed"].groupby("error").size().nlargest(10)
    rows.groupby(["tone", "language"]).size()
    previous = filters.previous()
    return {"kpis": kpis(rows), "previous": kpis(window(previous.start, previous.end)) if previous else None,
            "buckets": len(volume.index.get_level_values(0).unique()), "options": options}


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def best(repeat: int, engine, filters: Filters):
    """The fastest of repeat runs of everything the page computes: filter options and the dashboard."""
    runs = [timed(lambda: (filter_options(engine), dashboard(engine, filters))) for _ in range(repeat)]
    seconds, (_, board) = min(runs, key=lambda run: run[0])
    return seconds, board


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tz", default="Europe/Berlin")
    parser.add_argument("--repeat", type=int, default=3, help="SQL runs per view; the best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        seconds, _ = timed(generate_demo_rows, engine, args.rows)
        print(f"demo-data: {args.rows:,} rows inserted and summarised in {seconds:.1f} s")
        print(f"{'view':<22}{'summaries':>10}{'log only':>10}{'pandas':>9}{'ratio':>8}   check")
        views = [("Last 30 days", {}), ("All time", {}), ("All time, one user", {"user": ("ben@example.com",)})]
        for name, chosen in views:
            start, end = preset_range(name.split(",")[0], args.tz)
            filters = Filters(start=start, end=end, tz=args.tz, **chosen)
            fast, board = best(args.repeat, engine, filters)
            sources.USE_SUMMARIES = False
            slow, log_board = best(1, engine, filters)
            sources.USE_SUMMARIES = True
            pandas_seconds, naive = timed(in_pandas, engine, filters, board.grain)
            same = board.kpis == log_board.kpis and all(board.kpis[k] == v for k, v in naive["kpis"].items()) and len(
                board.tables["over_time"]) == naive["buckets"]
            print(f"{name:<22}{fast:>9.2f}s{slow:>9.2f}s{pandas_seconds:>8.2f}s{pandas_seconds / fast:>7.1f}x   "
                  f"{'same figures' if same else 'MISMATCH'} ({board.kpis['generations']:,} generations, "
                  f"by {board.grain})")
            if not same:
                print(f"  SQL {board.kpis}\n  log {log_board.kpis}\n  pandas {naive['kpis']}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
