"""Summary tables: the triggers keep them equal to a rebuild from the log, and every figure read through
them equals the figure read from the log alone (partial slots, half-hour zones, DST, filters, edits)."""

import random
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import delete, func, inspect, select, update

from core.analytics import rollups, sources
from core.analytics.demo import generate_demo_rows
from core.analytics.filters import Filters
from core.analytics.queries import dashboard
from core.analytics.rollups import DAY, HOUR, TABLES
from core.analytics.sources import plan, slot_of
from core.db import alembic_config, make_engine, session_scope, upgrade
from core.models import GenerationLog
from tests.test_analytics import add_rows, at

LOG = GenerationLog.__table__
BASE = at("2026-03-01 00:00")


def random_rows(seed: int, count: int, days: int = 70) -> list[dict]:
    """Log rows with awkward values: microsecond times, NULL, empty and 600-character errors, huge latencies."""
    rng = random.Random(seed)
    long_error = "x" * 600
    return [dict(created_at=BASE + timedelta(seconds=rng.uniform(0, days * DAY)),
                 user=rng.choice(["ana@example.com", "ben@example.com", "cy@example.com"]),
                 type=rng.choice(["content", "product", "bulk", "seo", "brand"]),
                 provider=(provider := rng.choice(["openai", "anthropic", "local", ""])),
                 model=f"{provider}-m{rng.randint(1, 2)}", language=rng.choice(["en", "de", "fa"]),
                 tone=rng.choice(["friendly", "casual", ""]),
                 status=(status := rng.choice(["succeeded"] * 4 + ["failed"])),
                 error=rng.choice([None, "", "timeout", "rate limited", long_error, long_error + "y"])
                 if status == "failed" else None,
                 latency_ms=rng.choice([rng.randint(0, 300), rng.randint(300, 70_000), rng.randint(1, 3_000_000)]),
                 cache_hit=rng.random() < 0.15, tokens=rng.randint(0, 3000), prompt_tokens=rng.randint(0, 900),
                 completion_tokens=rng.randint(0, 2000), cost_usd=round(rng.uniform(0, 0.3), 6))
            for _ in range(count)]


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every summary row, floats rounded (sums in a different order differ in the last bits)."""
    with engine.connect() as conn:
        return {name: sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                             for row in conn.execute(select(table))) for name, table in TABLES.items()}


def rebuilt(engine) -> dict[str, list[tuple]]:
    with engine.begin() as conn:
        rollups.rebuild(conn)
    return snapshot(engine)


def same_frames(left: pd.DataFrame, right: pd.DataFrame) -> None:
    order = lambda frame: frame.sort_values(list(frame.columns)).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(order(left), order(right), check_dtype=False, rtol=1e-9)


def assert_same_figures(engine, filters: Filters, grain: str | None, monkeypatch) -> None:
    """The dashboard through the summaries equals the dashboard from the log table alone."""
    fast = dashboard(engine, filters, grain)
    monkeypatch.setattr(sources, "USE_SUMMARIES", False)
    slow = dashboard(engine, filters, grain)
    monkeypatch.setattr(sources, "USE_SUMMARIES", True)
    assert fast.kpis == slow.kpis and fast.previous == slow.previous
    for name in slow.tables:
        same_frames(fast.tables[name], slow.tables[name])


def test_triggers_follow_inserts_updates_and_deletes(engine):
    add_rows(engine, *random_rows(1, 600))
    with session_scope(engine) as session:  # the ORM path the pipeline, brand and sections use
        session.add_all(GenerationLog(**row) for row in random_rows(2, 50))
    with engine.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.id % 7 == 0))
        conn.execute(update(LOG).where(LOG.c.id % 5 == 0).values(
            created_at=LOG.c.created_at, status="failed", error="edited", latency_ms=LOG.c.latency_ms + 999))
        conn.execute(update(LOG).where(LOG.c.id % 11 == 0).values(cache_hit=True, cost_usd=0.5, type="seo"))
        conn.execute(update(LOG).where(LOG.c.id % 13 == 0).values(target="renamed"))  # not a watched column
    with session_scope(engine) as session:
        entry = session.get(GenerationLog, 3)
        entry.created_at, entry.user = at("2026-05-20 23:59:59.999999"), "moved@example.com"
    kept = snapshot(engine)
    assert kept == rebuilt(engine)
    with engine.connect() as conn:  # removed rows leave no empty groups behind
        assert all(conn.execute(select(func.min(table.c[rollup.count]))).scalar() > 0
                   for rollup, table in ((r, r.table) for r in rollups.ROLLUPS))


def test_figures_through_summaries_equal_figures_from_the_log(engine, monkeypatch):
    # The first row is 00:02 on 1 February in St. John's (-03:30): its summary hour starts in January.
    add_rows(engine, *random_rows(3, 1500), dict(created_at=at("2026-02-01 03:32")))
    cases = [
        (Filters(start=at("2026-03-03 10:17:03.5"), end=at("2026-04-20 08:00:00.25"), tz="Asia/Kolkata"), "day"),
        (Filters(start=at("2026-03-03 10:17:03.5"), end=at("2026-04-20 08:00:00.25"), tz="Asia/Kolkata"), "week"),
        (Filters(start=at("2026-03-01 23:00"), end=at("2026-05-01 22:00"), tz="Europe/Berlin"), "month"),
        (Filters(tz="America/St_Johns"), None),
        (Filters(tz="Australia/Lord_Howe"), "day"),
        (Filters(start=at("2026-03-10 00:00"), end=at("2026-04-10 00:00"), type=("content", "seo")), None),
        (Filters(start=at("2026-03-10 00:00"), end=at("2026-04-10 00:00"), provider=("openai",)), None),
        (Filters(user=("ben@example.com",), language=("de",)), None),
        (Filters(start=at("2026-03-20 12:00"), end=at("2026-03-20 13:30"), status=("failed",)), None),
    ]
    for filters, grain in cases:
        assert_same_figures(engine, filters, grain, monkeypatch)


def test_whole_days_come_from_the_summaries(engine):
    add_rows(engine, dict(created_at=at("2026-03-10 09:00"), tokens=10, latency_ms=1234),
             dict(created_at=at("2026-03-11 10:00"), tokens=5, status="failed", error="boom"))
    with engine.begin() as conn:  # empty the log behind the triggers' back: only the summaries remain
        for statement in rollups.drop_trigger_sql(conn.dialect):
            conn.exec_driver_sql(statement)
        conn.execute(delete(LOG))
        for statement in rollups.trigger_sql(conn.dialect):
            conn.exec_driver_sql(statement)
    board = dashboard(engine, Filters(start=at("2026-03-01 00:00"), end=at("2026-04-01 00:00")))
    assert board.kpis["generations"] == 2 and board.kpis["tokens"] == 15 and board.kpis["p95_ms"] == 1220
    assert board.tables["top_errors"][["error", "count"]].values.tolist() == [["boom", 1]]


def test_plan_splits_ranges_into_blocks_days_and_log_pieces():
    day = lambda text: slot_of(at(text), DAY)  # noqa: E731
    steps = plan(at("2026-03-10 10:30"), at("2026-03-12 00:00"), DAY, (1, 32))
    assert steps.log == [(at("2026-03-10 10:30"), at("2026-03-11 00:00"))]
    assert steps.summary == [(1, day("2026-03-11"), day("2026-03-12"))]
    steps = plan(at("2026-01-01 00:00"), at("2026-06-01 06:00"), DAY, (1, 32))
    first_block, last_block = -(-day("2026-01-01") // 32) * 32, day("2026-06-01") // 32 * 32
    assert steps.summary == [(1, day("2026-01-01"), first_block), (32, first_block, last_block),
                             (1, last_block, day("2026-06-01"))]
    assert steps.log == [(at("2026-06-01 00:00"), at("2026-06-01 06:00"))]
    assert plan(None, None, DAY, (1, 32)).summary == [(32, None, None)]
    assert plan(at("2026-03-10 10:30"), at("2026-03-10 11:00"), HOUR, (1,)).log == [
        (at("2026-03-10 10:30"), at("2026-03-10 11:00"))]
    midnight_kolkata = at("2026-03-10 18:30")
    steps = plan(at("2026-03-10 00:00"), at("2026-03-11 00:00"), HOUR, (1,), cuts=(midnight_kolkata,))
    assert steps.skip == (slot_of(midnight_kolkata, HOUR),)
    assert steps.log == [(at("2026-03-10 18:00"), at("2026-03-10 19:00"))]


def test_a_failed_bulk_load_leaves_triggers_and_summaries_as_they_were(engine):
    add_rows(engine, *random_rows(6, 100))
    kept = snapshot(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn, rollups.paused(conn, BASE):
        conn.execute(LOG.insert(), random_rows(7, 50))
        raise RuntimeError("the bulk load broke")
    assert snapshot(engine) == kept
    add_rows(engine, dict(created_at=BASE))
    assert dashboard(engine, Filters()).kpis["generations"] == 101  # the triggers are back


def test_demo_data_pauses_the_triggers_then_rebuilds(engine):
    add_rows(engine, *random_rows(4, 200, days=400))
    generate_demo_rows(engine, 3000, days=40, seed=2)
    assert snapshot(engine) == rebuilt(engine)
    before = dashboard(engine, Filters()).kpis["generations"]
    add_rows(engine, dict(created_at=datetime.now(timezone.utc)))
    assert dashboard(engine, Filters()).kpis["generations"] == before + 1 == 3201


def test_migration_rolls_up_rows_logged_before_it(settings):
    url = settings.database_url
    command.upgrade(alembic_config(url), "0040_analytics")
    command.upgrade(alembic_config(url), "0061_log_truncation")  # a later column of the log itself
    command.upgrade(alembic_config(url), "0070_log_host")  # and another
    engine = make_engine(url)
    assert "analytics_hourly" not in inspect(engine).get_table_names()
    add_rows(engine, *random_rows(5, 300))
    upgrade(url)
    assert snapshot(engine)["analytics_hourly"] and snapshot(engine) == rebuilt(engine)
    assert dashboard(engine, Filters()).kpis["generations"] == 300
    with engine.begin() as conn:
        rollups.uninstall(conn)
    add_rows(engine, dict(created_at=at("2026-03-10 09:00")))  # no triggers left behind
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        rollups.install(conn)
    assert dashboard(engine, Filters()).kpis["generations"] == 301
    engine.dispose()


def test_other_databases_get_a_clear_message():
    with pytest.raises(rollups.ContentCraftError, match="SQLite or PostgreSQL"):
        rollups.trigger_sql("mysql")
