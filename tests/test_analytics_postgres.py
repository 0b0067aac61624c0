"""The analytics SQL on a real PostgreSQL server: migrations, plpgsql triggers, AT TIME ZONE buckets, and
the same figures as SQLite for the same rows.

Needs the psycopg driver (not a runtime dependency: `pip install "psycopg[binary]==3.3.9"`) and the
PostgreSQL server binaries (Debian package postgresql); the server runs on 127.0.0.1 in a temp directory.
"""

import pytest
from sqlalchemy import delete, update

from core.analytics import rollups
from core.analytics.demo import generate_demo_rows
from core.analytics.filters import Filters
from core.analytics.queries import dashboard, filter_options
from core.db import make_engine, upgrade
from tests.postgres import postgres_server
from tests.test_analytics_rollups import (LOG, BASE, add_rows, assert_same_figures, at, random_rows, rebuilt,
                                          same_frames, snapshot)

pytestmark = pytest.mark.slow
psycopg = pytest.importorskip("psycopg", reason='the Postgres checks need `pip install "psycopg[binary]==3.3.9"`')


@pytest.fixture(scope="module")
def pg_engine():
    """A throwaway PostgreSQL cluster, migrated to heads."""
    with postgres_server() as url:
        upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def pg(pg_engine):
    with pg_engine.begin() as conn:
        conn.execute(delete(LOG))  # the triggers empty the summaries too
    return pg_engine


def test_plpgsql_triggers_follow_inserts_updates_and_deletes(pg):
    add_rows(pg, *random_rows(1, 500))
    with pg.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.id % 7 == 0))
        conn.execute(update(LOG).where(LOG.c.id % 5 == 0).values(status="failed", error="edited",
                                                                  latency_ms=LOG.c.latency_ms + 999))
        conn.execute(update(LOG).where(LOG.c.id % 11 == 0).values(created_at=at("2026-05-20 23:59:59.999999")))
    assert snapshot(pg) == rebuilt(pg)


def test_figures_match_the_log_and_sqlite(pg, engine, monkeypatch):
    add_rows(pg, *random_rows(3, 800), dict(created_at=at("2026-02-01 03:32")))
    with pg.connect() as conn:
        add_rows(engine, *(dict(row._mapping) for row in conn.execute(LOG.select())))
    cases = [
        (Filters(start=at("2026-03-03 10:17:03.5"), end=at("2026-04-20 08:00:00.25"), tz="Asia/Kolkata"), "day"),
        (Filters(start=at("2026-03-01 23:00"), end=at("2026-05-01 22:00"), tz="Europe/Berlin"), "week"),
        (Filters(tz="America/St_Johns"), None),
        (Filters(start=at("2026-03-10 00:00"), end=at("2026-04-10 00:00"), type=("content",)), None),
        (Filters(user=("ben@example.com",)), "month"),
    ]
    for filters, grain in cases:
        assert_same_figures(pg, filters, grain, monkeypatch)
        on_pg, on_sqlite = dashboard(pg, filters, grain), dashboard(engine, filters, grain)
        assert on_pg.kpis == on_sqlite.kpis and on_pg.previous == on_sqlite.previous
        for name in on_pg.tables:
            same_frames(on_pg.tables[name], on_sqlite.tables[name])
    assert filter_options(pg) == filter_options(engine)


def test_bulk_loads_pause_the_triggers_in_one_transaction(pg):
    add_rows(pg, *random_rows(4, 100, days=400))
    kept = snapshot(pg)
    with pytest.raises(RuntimeError), pg.begin() as conn, rollups.paused(conn, BASE):
        conn.execute(LOG.insert(), random_rows(5, 50))
        raise RuntimeError("the bulk load broke")
    assert snapshot(pg) == kept
    generate_demo_rows(pg, 2000, days=40, seed=2)
    assert snapshot(pg) == rebuilt(pg)
    add_rows(pg, dict(created_at=BASE))
    assert dashboard(pg, Filters()).kpis["generations"] == 2101
