"""`python -m core analytics …` and `python -m core demo-data`."""

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from core.analytics.demo import generate_demo_rows
from core.cli import main
from core.models import GenerationLog
from tests.test_analytics import add_rows

LOG = GenerationLog.__table__


def test_demo_data_is_varied_and_recent(engine, capsys):
    assert main(["demo-data", "--rows", "3000", "--days", "30", "--seed", "1"]) == 0
    assert "Inserted 3,000 demo log rows" in capsys.readouterr().out
    with engine.connect() as conn:
        count, first, last = conn.execute(select(func.count(), func.min(LOG.c.created_at),
                                                 func.max(LOG.c.created_at))).one()
        distinct = {name: conn.execute(select(func.count(LOG.c[name].distinct()))).scalar()
                    for name in ("user", "type", "provider", "model", "language", "tone", "status", "cache_hit")}
        day_of_week = func.strftime("%w", LOG.c.created_at)
        weekday = dict(conn.execute(select(day_of_week, func.count()).group_by(day_of_week)).all())
        cached = conn.execute(select(func.sum(LOG.c.tokens), func.sum(LOG.c.cost_usd))
                              .where(LOG.c.cache_hit.is_(True))).one()
        local_cost = conn.execute(select(func.sum(LOG.c.cost_usd)).where(LOG.c.provider == "local")).scalar()
    now = datetime.now(timezone.utc)
    assert count == 3000 and now - timedelta(days=30) <= first and last <= now
    assert distinct == {"user": 8, "type": 5, "provider": 4, "model": 6, "language": 10, "tone": 7, "status": 2,
                        "cache_hit": 2}
    assert weekday["0"] < weekday["3"] / 2  # Sundays are quiet
    assert cached == (0, 0) and local_cost == 0


def test_summary_json_matches_the_data(engine, capsys):
    now = datetime.now(timezone.utc)
    add_rows(engine, dict(created_at=now - timedelta(hours=1), tokens=100, cost_usd=0.5, latency_ms=400),
             dict(created_at=now - timedelta(hours=2), status="failed", error="boom", latency_ms=800),
             dict(created_at=now - timedelta(days=200), tokens=7))
    assert main(["analytics", "summary", "--since", "30d", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kpis"] == {"generations": 2, "success_rate": 0.5, "tokens": 100, "cost_usd": 0.5, "p50_ms": 400,
                              "p95_ms": 800, "cache_hit_rate": 0.0}
    assert report["previous"]["generations"] == 0
    assert report["tables"]["top_errors"][0]["error"] == "boom"
    assert set(report["tables"]) >= {"over_time", "latency_by_type", "latency_by_provider", "usage_by_user",
                                     "usage_by_model", "tones", "languages", "top_errors"}
    assert main(["analytics", "summary", "--since", "all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["generations"] == 3


def test_summary_text_and_bad_since(engine, capsys):
    generate_demo_rows(engine, 500, days=60)
    assert main(["analytics", "summary", "--since", "90d", "--tz", "Europe/Berlin"]) == 0
    out = capsys.readouterr().out
    assert "Generations" in out and "500" in out and "vs previous period" in out and "== latency by type ==" in out
    assert main(["analytics", "summary", "--since", "soon"]) == 1
    assert "--since 'soon' is not understood" in capsys.readouterr().err


def test_export_streams_filtered_rows(engine, capsys):
    now = datetime.now(timezone.utc)
    add_rows(engine, dict(created_at=now - timedelta(hours=1), target="new"),
             dict(created_at=now - timedelta(days=40), target="old"))
    assert main(["analytics", "export", "--since", "30d"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [row["target"] for row in rows] == ["new"] and "1 row exported" in captured.err


def test_budget_commands(engine, capsys):
    assert main(["analytics", "budget", "set", "ana@example.com", "25"]) == 0
    assert main(["analytics", "budget", "policy", "--hard-limits", "on", "--warn-at", "0.9"]) == 0
    assert "Warn at 90% · hard limits on" in capsys.readouterr().out
    add_rows(engine, dict(created_at=datetime.now(timezone.utc), cost_usd=24.0))
    assert main(["analytics", "budget", "list"]) == 0
    assert "ana@example.com" in (out := capsys.readouterr().out) and "(96%) warning" in out
    assert main(["analytics", "budget", "remove", "nobody@example.com"]) == 1


def test_module_entry_point(engine):
    result = subprocess.run([sys.executable, "-m", "core", "analytics", "summary", "--since", "all", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kpis"]["generations"] == 0


def test_kpi_formatting():
    from core.analytics.cli import compact, format_kpi

    assert [compact(n) for n in (950, 9_999, 12_345, 8_176_543, -1_437_934)] == ["950", "9,999", "12.3k", "8.18M",
                                                                                  "-1.44M"]
    assert format_kpi("p50_ms", 420) == "420 ms" and format_kpi("p95_ms", 10_180) == "10.2 s"
    assert format_kpi("success_rate", 0.978) == "97.8%" and format_kpi("cost_usd", 1234.5) == "$1,234.50"
    assert format_kpi("cache_hit_rate", None) == "–"


def test_rebuild_repairs_summaries_after_the_log_changed_behind_the_triggers(engine, capsys):
    add_rows(engine, dict(created_at=datetime.now(timezone.utc) - timedelta(hours=1), tokens=40))
    with engine.begin() as conn:  # e.g. a log table restored from a backup with the triggers off
        conn.exec_driver_sql("DROP TRIGGER analytics_after_insert")
        conn.execute(LOG.insert(), [dict(created_at=datetime.now(timezone.utc), user="ana@example.com",
                                         type="content", status="succeeded", tokens=2)])
    assert main(["analytics", "summary", "--since", "30d", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["tokens"] == 40
    assert main(["analytics", "rebuild"]) == 0
    assert "Summary tables rebuilt from the log" in capsys.readouterr().out
    add_rows(engine, dict(created_at=datetime.now(timezone.utc), tokens=100))  # the trigger is back
    assert main(["analytics", "summary", "--since", "30d", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["tokens"] == 142
