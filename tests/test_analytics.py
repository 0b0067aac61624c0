"""Analytics aggregates against hand-computed values: KPIs, percentiles, buckets, boundaries, time zones."""

import math
import random
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from core.analytics.buckets import auto_grain, offset_periods
from core.analytics.filters import Filters, date_range, preset_range, since
from core.analytics.queries import dashboard, filter_options, latency_percentiles
from core.analytics.rollups import latency_bin
from core.errors import ValidationFailedError
from core.models import GenerationLog

UTC = timezone.utc


def at(text: str) -> datetime:
    """An aware UTC datetime from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_rows(engine, *rows: dict) -> None:
    """Insert log rows; each dict needs created_at and overrides the defaults below."""
    defaults = {"user": "ana@example.com", "type": "content", "target": "t", "tokens": 0, "latency_ms": 100,
                "status": "succeeded", "provider": "openai", "model": "gpt-4o-mini", "language": "en",
                "tone": "friendly", "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "cache_hit": False,
                "error": None}
    with engine.begin() as conn:
        conn.execute(GenerationLog.__table__.insert(), [{**defaults, **row} for row in rows])


def day_filters(day: str, tz: str = "UTC", **chosen) -> Filters:
    start, end = date_range(date.fromisoformat(day), date.fromisoformat(day), tz)
    return Filters(start=start, end=end, tz=tz, **chosen)


@pytest.fixture
def one_day(engine):
    """Five generations on 2026-03-10 (UTC) and one the day before, for hand-computed figures."""
    add_rows(engine,
             dict(created_at=at("2026-03-10 09:00"), latency_ms=100, tokens=1000, prompt_tokens=400,
                  completion_tokens=600, cost_usd=0.5),
             dict(created_at=at("2026-03-10 10:00"), type="product", latency_ms=300, tokens=500, cost_usd=0.25,
                  language="de", tone="professional"),
             dict(created_at=at("2026-03-10 11:00"), user="ben@example.com", provider="anthropic",
                  model="claude-haiku-4-5", latency_ms=200, tokens=800, cost_usd=1.0, status="failed",
                  error="anthropic did not answer in time"),
             dict(created_at=at("2026-03-10 12:00"), user="ben@example.com", provider="anthropic",
                  model="claude-haiku-4-5", latency_ms=5, cache_hit=True),
             dict(created_at=at("2026-03-10 23:59"), provider="local", model="smollm2-135m-instruct",
                  latency_ms=1000, tokens=300, tone="casual"),
             dict(created_at=at("2026-03-09 12:00"), latency_ms=50, tokens=100, cost_usd=0.1))
    return engine


def test_kpis_for_a_single_day(one_day):
    board = dashboard(one_day, day_filters("2026-03-10"))
    assert board.kpis == {"generations": 5, "success_rate": 0.8, "tokens": 2600, "cost_usd": 1.75,
                          "p50_ms": 200, "p95_ms": 1000, "cache_hit_rate": 0.2}
    # The previous period is the day before: one generation, all succeeded.
    assert board.previous == {"generations": 1, "success_rate": 1.0, "tokens": 100, "cost_usd": 0.1,
                              "p50_ms": 50, "p95_ms": 50, "cache_hit_rate": 0.0}


def test_latency_percentiles_by_type_and_provider_exclude_cache_hits(one_day):
    tables = dashboard(one_day, day_filters("2026-03-10")).tables
    by_type = tables["latency_by_type"].set_index("type")
    assert by_type.loc["content", ["generations", "p50_ms", "p95_ms"]].tolist() == [3, 200, 1000]
    assert by_type.loc["content", "mean_ms"] == pytest.approx(433.333, abs=0.001)
    assert by_type.loc["product", ["generations", "p50_ms", "p95_ms"]].tolist() == [1, 300, 300]
    by_provider = tables["latency_by_provider"].set_index("provider")
    assert by_provider.loc["openai", ["generations", "p50_ms", "p95_ms"]].tolist() == [2, 100, 300]
    assert by_provider.loc["anthropic", ["generations", "p50_ms", "p95_ms"]].tolist() == [1, 200, 200]
    assert by_provider.loc["local", ["p50_ms", "p95_ms"]].tolist() == [1000, 1000]


def test_usage_errors_tones_languages(one_day):
    tables = dashboard(one_day, day_filters("2026-03-10")).tables
    users = tables["usage_by_user"]
    assert users[["user", "generations", "tokens", "cost_usd"]].values.tolist() == [
        ["ben@example.com", 2, 800, 1.0], ["ana@example.com", 3, 1800, 0.75]]
    models = tables["usage_by_model"].set_index("model")
    assert models.loc["gpt-4o-mini", ["generations", "prompt_tokens", "completion_tokens"]].tolist() == [2, 400, 600]
    errors = tables["top_errors"]
    assert errors[["error", "count"]].values.tolist() == [["anthropic did not answer in time", 1]]
    assert tables["tones"].values.tolist() == [["friendly", 3], ["casual", 1], ["professional", 1]]
    assert tables["languages"].values.tolist() == [["en", 4], ["de", 1]]
    by_type = tables["by_type"].set_index("type")
    assert by_type.loc["content", ["generations", "failed"]].tolist() == [4, 1]
    assert by_type.loc["content", "error_rate"] == 0.25


def test_daily_volume_error_and_cache_rates(one_day):
    start, end = date_range(date(2026, 3, 9), date(2026, 3, 10))
    tables = dashboard(one_day, Filters(start=start, end=end), "day").tables
    volume = tables["volume_by_type"]
    assert volume[["bucket", "type", "generations", "failed", "cache_hits"]].values.tolist() == [
        [pd.Timestamp("2026-03-09"), "content", 1, 0, 0], [pd.Timestamp("2026-03-10"), "content", 4, 1, 1],
        [pd.Timestamp("2026-03-10"), "product", 1, 0, 0]]
    over_time = tables["over_time"].set_index("bucket")
    assert over_time.loc["2026-03-10", "error_rate"] == 0.2
    assert over_time.loc["2026-03-10", "cache_hit_rate"] == 0.2
    assert over_time.loc["2026-03-09", "error_rate"] == 0.0


def test_filters_narrow_every_figure(one_day):
    board = dashboard(one_day, day_filters("2026-03-10", user=("ben@example.com",)))
    assert board.kpis["generations"] == 2 and board.kpis["success_rate"] == 0.5
    assert board.kpis["p50_ms"] == 200  # the cache hit is not a provider call
    board = dashboard(one_day, day_filters("2026-03-10", provider=("openai",), language=("de",)))
    assert board.kpis["generations"] == 1 and board.kpis["tokens"] == 500
    board = dashboard(one_day, day_filters("2026-03-10", status=("failed",)))
    assert board.kpis["generations"] == 1 and board.kpis["success_rate"] == 0.0


def test_empty_range_has_zeros_and_empty_tables(one_day):
    board = dashboard(one_day, day_filters("2025-01-01"))
    assert board.is_empty
    assert board.kpis == {"generations": 0, "success_rate": None, "tokens": 0, "cost_usd": 0.0, "p50_ms": None,
                          "p95_ms": None, "cache_hit_rate": None}
    assert all(frame.empty for name, frame in board.tables.items() if name != "kpis")


def test_empty_database(engine):
    board = dashboard(engine, Filters())
    assert board.is_empty and board.previous is None
    assert filter_options(engine) == {name: [] for name in ("user", "type", "provider", "model", "language", "status")}


def test_range_start_is_inclusive_and_end_exclusive(engine):
    add_rows(engine, dict(created_at=at("2026-03-10 00:00")), dict(created_at=at("2026-03-11 00:00")),
             dict(created_at=at("2026-03-10 23:59:59.999999")))
    assert dashboard(engine, day_filters("2026-03-10")).kpis["generations"] == 2
    assert dashboard(engine, day_filters("2026-03-11")).kpis["generations"] == 1


def test_day_buckets_follow_the_display_zone(engine):
    add_rows(engine, dict(created_at=at("2026-03-09 23:30")), dict(created_at=at("2026-03-10 00:30")))
    start, end = at("2026-03-09 00:00"), at("2026-03-12 00:00")

    def days(tz):
        volume = dashboard(engine, Filters(start=start, end=end, tz=tz), "day").tables["over_time"]
        return dict(zip(volume["bucket"].dt.strftime("%Y-%m-%d"), volume["generations"]))

    assert days("UTC") == {"2026-03-09": 1, "2026-03-10": 1}
    assert days("Europe/Berlin") == {"2026-03-10": 2}  # 00:30 and 01:30 local
    assert days("America/New_York") == {"2026-03-09": 2}  # 19:30 and 20:30 EDT (DST began 8 March)
    assert days("Asia/Kolkata") == {"2026-03-10": 2}  # +05:30


def test_buckets_across_a_dst_change(engine):
    # Berlin moves from +01:00 to +02:00 at 2026-03-29 01:00 UTC.
    add_rows(engine, dict(created_at=at("2026-03-28 23:30")), dict(created_at=at("2026-03-29 22:30")),
             dict(created_at=at("2026-03-31 22:30")))
    start, end = date_range(date(2026, 3, 1), date(2026, 4, 30), "Europe/Berlin")
    board = dashboard(engine, Filters(start=start, end=end, tz="Europe/Berlin"), "day")
    days = board.tables["over_time"]["bucket"].dt.strftime("%Y-%m-%d").tolist()
    assert days == ["2026-03-29", "2026-03-30", "2026-04-01"]
    months = dashboard(engine, Filters(start=start, end=end, tz="Europe/Berlin"), "month").tables["over_time"]
    assert months[["bucket", "generations"]].values.tolist() == [[pd.Timestamp("2026-03-01"), 2],
                                                                 [pd.Timestamp("2026-04-01"), 1]]
    # All time needs the table's own span to place the offsets.
    board = dashboard(engine, Filters(tz="Europe/Berlin"), "day")
    assert board.tables["over_time"]["bucket"].dt.strftime("%Y-%m-%d").tolist() == days


def test_week_buckets_start_on_monday(engine):
    add_rows(engine, dict(created_at=at("2026-03-08 12:00")), dict(created_at=at("2026-03-09 00:00")),
             dict(created_at=at("2026-03-15 23:59")), dict(created_at=at("2026-03-16 00:00")))
    start, end = date_range(date(2026, 3, 1), date(2026, 3, 31))
    weeks = dashboard(engine, Filters(start=start, end=end), "week").tables["over_time"]
    assert weeks[["bucket", "generations"]].values.tolist() == [
        [pd.Timestamp("2026-03-02"), 1], [pd.Timestamp("2026-03-09"), 2], [pd.Timestamp("2026-03-16"), 1]]


def test_percentiles_match_nearest_rank_on_many_values(engine):
    rng = random.Random(3)
    latencies = [rng.choice([rng.randint(0, 250), rng.randint(900, 60_000)]) for _ in range(400)] + [120] * 30
    add_rows(engine, *({"created_at": at("2026-03-10 10:00"), "latency_ms": ms,
                        "type": "content" if i % 3 else "product"} for i, ms in enumerate(latencies)))
    with engine.connect() as conn:
        frame = latency_percentiles(conn, Filters()).set_index(["dimension", "group"])

    def nearest_rank(values, p):
        ordered = sorted(values)
        return ordered[math.ceil(p / 100 * len(ordered)) - 1]

    # Percentiles come from the latency histogram: the lower edge of the bin holding the nearest-rank value.
    for p in (50, 95):
        exact = nearest_rank(latencies, p)
        assert frame.loc[("all", ""), f"p{p}_ms"] == latency_bin(exact)
        assert 0 <= exact - frame.loc[("all", ""), f"p{p}_ms"] <= 0.025 * exact
        content = [ms for i, ms in enumerate(latencies) if i % 3]
        assert frame.loc[("type", "content"), f"p{p}_ms"] == latency_bin(nearest_rank(content, p))
    assert frame.loc[("all", ""), "mean_ms"] == pytest.approx(sum(latencies) / len(latencies))  # means stay exact


def test_latency_bins_keep_two_and_a_half_percent():
    assert [latency_bin(ms) for ms in (0, 7, 99, 100, 101, 187, 199, 200, 234, 999, 1000, 1234, 4999, 23456)] == [
        0, 7, 99, 100, 100, 186, 198, 200, 230, 990, 1000, 1220, 4950, 23000]
    assert latency_bin(2_000_000) == 2_000_000 and latency_bin(2_345_678) == 2_300_000
    assert all(0 <= ms - latency_bin(ms) <= 0.025 * ms for ms in range(0, 1_000_000, 7))


def test_presets_use_local_midnight():
    now = at("2026-03-10 23:30")  # already 11 March in Berlin (+01:00)
    assert preset_range("Today", "Europe/Berlin", now) == (at("2026-03-10 23:00"), at("2026-03-11 23:00"))
    assert preset_range("Today", "UTC", now) == (at("2026-03-10 00:00"), at("2026-03-11 00:00"))
    assert preset_range("Last 7 days", "UTC", now) == (at("2026-03-04 00:00"), at("2026-03-11 00:00"))
    assert preset_range("Last month", "UTC", now) == (at("2026-02-01 00:00"), at("2026-03-01 00:00"))
    assert preset_range("Year to date", "UTC", now) == (at("2026-01-01 00:00"), at("2026-03-11 00:00"))
    assert preset_range("All time", "UTC", now) == (None, None)
    assert since("30d", "UTC", now) == (at("2026-02-09 00:00"), at("2026-03-11 00:00"))
    with pytest.raises(ValidationFailedError, match="30d"):
        since("thirty", "UTC", now)
    with pytest.raises(ValidationFailedError, match="IANA"):
        preset_range("Today", "Mars/Olympus")


def test_previous_period_has_the_same_length():
    filters = Filters(start=at("2026-03-10 00:00"), end=at("2026-03-17 00:00"))
    previous = filters.previous()
    assert (previous.start, previous.end) == (at("2026-03-03 00:00"), at("2026-03-10 00:00"))
    assert Filters().previous() is None


def test_offset_periods_and_grain():
    periods = offset_periods("Europe/Berlin", at("2026-03-01 00:00"), at("2026-11-30 00:00"))
    assert periods == [(None, 60), (at("2026-03-29 01:00"), 120), (at("2026-10-25 01:00"), 60)]
    assert offset_periods("UTC", at("2026-01-01 00:00"), at("2026-12-31 00:00")) == [(None, 0)]
    assert auto_grain(at("2026-03-01 00:00"), at("2026-03-31 00:00")) == "day"
    assert auto_grain(at("2026-01-01 00:00"), at("2026-12-31 00:00")) == "week"
    assert auto_grain(None, None) == "month"


def test_postgres_bucketing_uses_at_time_zone():
    from sqlalchemy import column
    from sqlalchemy.dialects import postgresql

    from core.analytics.buckets import bucket

    # Buckets are computed from epoch seconds (summary rows carry their slot's start, log rows their own).
    sql = str(bucket(postgresql.dialect(), "week", "Europe/Berlin", None, column("ts")).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert sql == "to_char(date_trunc('week', to_timestamp(ts) AT TIME ZONE 'Europe/Berlin'), 'YYYY-MM-DD')"
