"""The Analytics page through AppTest: empty state, figures, filters, permissions, budgets."""

from datetime import datetime, timedelta, timezone

import pytest
import streamlit as st

from core.analytics import budgets
from tests.test_analytics import add_rows

PAGE = "pages/analytics.py"


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def open_page(app_as, role: str = "editor"):
    st.cache_data.clear()
    return app_as(role, page=PAGE)


def test_empty_database_explains_how_to_get_data(app_as):
    at = open_page(app_as)
    assert not at.exception
    assert any("demo-data --rows" in info.value for info in at.info)
    assert not at.metric


def test_figures_and_filters(app_as, engine):
    now = datetime.now(timezone.utc)
    add_rows(engine, *(dict(created_at=now - timedelta(minutes=10 + i), type="content", tokens=100, cost_usd=0.25,
                            latency_ms=1000 + i) for i in range(3)),
             *(dict(created_at=now - timedelta(minutes=20 + i), type="product", tokens=40, latency_ms=300,
                    language="de") for i in range(2)),
             dict(created_at=now - timedelta(days=40), type="product"))
    at = open_page(app_as)
    assert not at.exception and not at.error
    assert metric(at, "Generations") == "5" and metric(at, "Tokens") == "380" and metric(at, "Cost") == "$0.75"
    assert metric(at, "p95 latency") == "1.0 s"
    assert len(at.get("plotly_chart")) >= 8
    at.multiselect(key="analytics_f_type").select("product").run()
    assert metric(at, "Generations") == "2" and metric(at, "p50 latency") == "300 ms"
    at.selectbox(key="analytics_preset").select("All time").run()
    assert not at.exception and metric(at, "Generations") == "3"
    at.multiselect(key="analytics_f_language").select("en").run()
    assert metric(at, "Generations") == "1"
    at.selectbox(key="analytics_preset").select("Last 7 days").run()
    assert any("No generations match these filters" in info.value for info in at.info)


def test_writers_do_not_get_the_page(app_as):
    at = app_as("writer")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_admin_sets_a_budget_and_sees_it(app_as, engine):
    add_rows(engine, dict(created_at=datetime.now(timezone.utc), user="admin@example.com", cost_usd=9.0))
    at = open_page(app_as, "admin")
    at.text_input(key="analytics_budget_user").input("admin@example.com")
    at.number_input(key="analytics_budget_usd").set_value(10.0)
    at.toggle(key="analytics_hard").set_value(True)
    at.button(key="FormSubmitter:analytics_budget_form-Save").click().run()
    assert not at.exception and at.success[0].value == "Budgets saved."
    assert budgets.get_policy(engine).hard_limits
    status = budgets.budget_status(engine, "admin@example.com")
    assert (status.limit_usd, status.level) == (10.0, "warning")
    at.run()
    assert any("90%" in warning.value for warning in at.warning)


def test_one_day_of_data_is_a_day_wide_bar_on_a_day_axis(app_as, engine):
    import json

    now = datetime.now(timezone.utc)
    add_rows(engine, *(dict(created_at=now - timedelta(minutes=5 + i), type="content") for i in range(3)))
    at = open_page(app_as)
    volume = json.loads(at.get("plotly_chart")[0].proto.spec)
    bar, axis = volume["data"][0], volume["layout"]["xaxis"]
    assert len(bar["x"]) == 1 and bar["width"] == 0.8 * 86_400_000, "one bar, one day wide"
    assert axis["type"] == "date" and axis["tickformat"] == "%-d %b %Y" and axis["dtick"] == 86_400_000
    start, end = (datetime.fromisoformat(str(edge)) for edge in axis["range"])
    assert timedelta(days=7) <= end - start < timedelta(days=8), "a week of room, not fractions of a millisecond"
