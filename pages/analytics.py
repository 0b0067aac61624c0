"""Analytics: usage, latency, tokens, cost, errors and cache for a date range, with budgets and CSV export."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pandas as pd
import streamlit as st

from core.access.audit import endpoint_errors
from core.analytics import budgets, charts, export
from core.analytics.filters import DEFAULT_PRESET, FILTER_COLUMNS, PRESETS, Filters, date_range, preset_range
from core.analytics.quality import quality_counts
from core.analytics.queries import Dashboard, dashboard, filter_options
from core.auth import allowed
from core.i18n import N_, _
from ui import formats
from ui.common import current_user, engine, friendly_errors

ROW_EXPORT_LIMIT = 200_000
# Whether a rise in the KPI is good ("normal"), bad ("inverse") or neither ("off").
DELTA_COLORS = {"generations": "normal", "success_rate": "normal", "tokens": "off", "cost_usd": "off",
                "p50_ms": "inverse", "p95_ms": "inverse", "cache_hit_rate": "normal"}
KPI_LABELS = {"generations": N_("Generations"), "success_rate": N_("Success rate"), "tokens": N_("Tokens"),
              "cost_usd": N_("Cost"), "p50_ms": N_("p50 latency"), "p95_ms": N_("p95 latency"),
              "cache_hit_rate": N_("Cache hit rate")}
PRESET_LABELS = {"Today": N_("Today"), "Last 7 days": N_("Last 7 days"), "Last 30 days": N_("Last 30 days"),
                 "Last 90 days": N_("Last 90 days"), "This month": N_("This month"), "Last month": N_("Last month"),
                 "Year to date": N_("Year to date"), "All time": N_("All time"), "Custom": N_("Custom")}
GRAINS = {"auto": N_("auto"), "day": N_("day"), "week": N_("week"), "month": N_("month")}
FILTER_LABELS = {"user": N_("User"), "type": N_("Type"), "provider": N_("Provider"), "model": N_("Model"),
                 "language": N_("Language"), "status": N_("Status")}


def format_kpi(key: str, value) -> str:
    """A KPI value with its unit in the current language, "–" when there is no data."""
    if value is None:
        return formats.DASH
    if key.endswith("_rate"):
        return formats.percent(value)
    if key == "cost_usd":
        return formats.money(value)
    if key.endswith("_ms"):
        return formats.milliseconds(value)
    return formats.compact(value)


def format_delta(key: str, change) -> str:
    """A KPI's change against the previous period, signed ("+2.5 pts", "-$1.20", "+12")."""
    sign = "+" if change >= 0 else "-"  # ASCII: st.metric reads the arrow's direction from a leading "-"
    if key.endswith("_rate"):
        return _("{change} pts").format(change=sign + formats.number(abs(change) * 100, 1))
    return sign + format_kpi(key, abs(change))


def span(filters: Filters) -> str:
    """The chosen range in the current language, e.g. "Oct 31, 2026, 12:00:00 AM – Nov 30, 2026, …"."""
    if not filters.is_bounded:
        return _("All time")
    return "{} – {} ({})".format(formats.when(filters.start, filters.tz), formats.when(filters.end, filters.tz),
                                 filters.tz)


@st.cache_data(ttl=60, show_spinner=False)
def load_dashboard(filters: Filters, grain: str | None) -> Dashboard:
    return dashboard(engine(), filters, grain)


@st.cache_data(ttl=60, show_spinner=False)
def load_options() -> dict[str, list[str]]:
    return filter_options(engine())


def pick_filters(options: dict[str, list[str]]) -> tuple[Filters, str | None]:
    """The filter widgets; returns the chosen Filters and grain (None = automatic)."""
    zones = sorted(available_timezones())
    browser_zone = st.context.timezone if st.context.timezone in zones else "UTC"
    left, middle, right, far = st.columns([2, 2, 1, 2])
    preset = left.selectbox(_("Date range"), [*PRESETS, "Custom"], index=PRESETS.index(DEFAULT_PRESET),
                            key="analytics_preset", format_func=lambda name: _(PRESET_LABELS.get(name, name)))
    tz = far.selectbox(_("Time zone"), zones, index=zones.index(browser_zone), key="analytics_tz")
    grain = right.selectbox(_("Group by"), list(GRAINS), key="analytics_grain", format_func=lambda g: _(GRAINS[g]))
    if preset == "Custom":
        today = datetime.now(ZoneInfo(tz)).date()
        chosen = middle.date_input(_("Dates"), (today - timedelta(days=29), today), key="analytics_dates")
        start, end = date_range(chosen[0], chosen[-1], tz) if chosen else preset_range(DEFAULT_PRESET, tz)
    else:
        start, end = preset_range(preset, tz)
        middle.caption(span(Filters(start=start, end=end, tz=tz)))
    with st.expander(_("Filters"), expanded=False):
        columns = st.columns(3)
        chosen_values = {name: tuple(columns[i % 3].multiselect(_(FILTER_LABELS[name]), options.get(name, []),
                                                                key=f"analytics_f_{name}"))
                         for i, name in enumerate(FILTER_COLUMNS)}
    return Filters(start=start, end=end, tz=tz, **chosen_values), None if grain == "auto" else grain


def kpi_row(board: Dashboard) -> None:
    """The KPI metrics with deltas against the previous period of the same length."""
    for column, (key, label) in zip(st.columns(len(KPI_LABELS)), KPI_LABELS.items()):
        value, before = board.kpis[key], (board.previous or {}).get(key)
        delta = format_delta(key, value - before) if value is not None and before is not None else None
        column.metric(_(label), format_kpi(key, value), delta, delta_color=DELTA_COLORS[key],
                      help=_("Compared with the previous period of the same length.") if board.previous else None)


@st.cache_data(ttl=60, show_spinner=False)
def load_quality(filters: Filters) -> dict[str, int]:
    return quality_counts(engine(), filters)


def quality_row(filters: Filters) -> None:
    """What the quality gate held back: results needing review, in the wrong language, and failures."""
    counts = load_quality(filters)
    review, language, failed = st.columns(3)
    review.metric(_("Needs review"), formats.number(counts["needs_review"]),
                  help=_("Saved, but the quality gate found problems."))
    language.metric(_("Wrong language"), formats.number(counts["wrong_language"]),
                    help=_("Results detected in another language than the one asked."))
    failed.metric(_("Failed"), formats.number(counts["failed"]), help=_("Generations that produced nothing usable."))


def charts_section(board: Dashboard) -> None:
    """Every chart of the page, in a readable two-column grid."""
    tables, tz = board.tables, board.filters.tz
    st.subheader(_("Generations"))
    st.plotly_chart(charts.volume_chart(board.volume, board.grain, tz), key="analytics_volume")
    st.subheader(_("Latency"))
    left, right = st.columns(2)
    left.plotly_chart(charts.latency_chart(tables["latency_by_type"], "type"), key="analytics_lat_type")
    right.plotly_chart(charts.latency_chart(tables["latency_by_provider"], "provider"), key="analytics_lat_prov")
    st.subheader(_("Tokens and cost"))
    for tab, (key, table) in zip(st.tabs([_("By user"), _("By model")]), [("user", "usage_by_user"),
                                                                      ("model", "usage_by_model")]):
        left, right = tab.columns(2)
        left.plotly_chart(charts.usage_chart(tables[table], key, "tokens"), key=f"analytics_tok_{key}")
        right.plotly_chart(charts.usage_chart(tables[table], key, "cost_usd"), key=f"analytics_cost_{key}")
    st.subheader(_("Errors"))
    left, right = st.columns(2)
    left.plotly_chart(charts.rate_chart(tables["over_time"], "error_rate", board.grain, tz), key="analytics_err")
    right.dataframe(tables["top_errors"], hide_index=True, column_config={
        "error": st.column_config.TextColumn(_("Top error messages"), width="large"),
        "last_seen": st.column_config.DatetimeColumn(_("Last seen ({zone})").format(zone=tz))})
    st.subheader(_("Tones, languages and cache"))
    tones, languages, cache = st.columns(3)
    tones.plotly_chart(charts.share_chart(tables["tones"], "tone"), key="analytics_tones")
    languages.plotly_chart(charts.share_chart(tables["languages"], "language"), key="analytics_langs")
    cache.plotly_chart(charts.rate_chart(tables["over_time"], "cache_hit_rate", board.grain, tz),
                       key="analytics_cache")


def api_section(filters: Filters) -> None:
    """API calls per endpoint in the range: calls, client and server errors, error rate, mean latency."""
    st.subheader(_("API calls by endpoint"))
    table = endpoint_errors(engine(), filters.start, filters.end)
    if table.empty:
        st.caption(_("No API calls in this range. Create a token on the API tokens page to call the API."))
        return
    st.dataframe(table, hide_index=True, column_config={
        "method": _("Method"), "endpoint": _("Endpoint"), "calls": _("Calls"), "client_errors": _("Client errors"),
        "server_errors": _("Server errors"),
        "error_rate": st.column_config.ProgressColumn(_("Error rate"), format="percent", max_value=1),
        "mean_ms": st.column_config.NumberColumn(_("Mean latency (ms)"))})


def export_section(board: Dashboard) -> None:
    """CSV downloads: every aggregate, and the filtered rows (built only when clicked)."""
    st.subheader(_("Export"))
    stamp = date.today().isoformat()
    columns = st.columns(4)
    for i, name in enumerate(board.tables):
        columns[i % 4].download_button(_("{table} (CSV)").format(table=name.replace("_", " ").capitalize()),
                                       export.table_csv(board, name),
                                       f"contentcraft-{name}-{stamp}.csv", "text/csv", key=f"analytics_dl_{name}",
                                       on_click="ignore")
    st.download_button(_("Filtered log rows (CSV, newest {count} at most)").format(
                       count=formats.number(ROW_EXPORT_LIMIT)),
                       lambda: export.rows_csv(engine(), board.filters, ROW_EXPORT_LIMIT),
                       f"contentcraft-log-{stamp}.csv", "text/csv", key="analytics_dl_rows", on_click="ignore")
    st.caption(_("For every row of a larger range: {command}.").format(
        command="`python -m core analytics export --since all > log.csv`"))


def budgets_section(user) -> None:
    """This month's spend against each budget, and the admin's controls."""
    st.subheader(_("Budgets (this month, UTC)"))
    db = engine()
    status = budgets.budget_status(db, user.email)
    if status is not None and (notice := status.message()):
        (st.error if status.level == "exceeded" else st.warning)(notice)
    overview = budgets.budget_overview(db)
    if overview:
        st.dataframe(pd.DataFrame([{"user": s.user, "spent_usd": s.spent_usd, "budget_usd": s.limit_usd,
                                    "used": s.ratio, "status": s.level} for s in overview]), hide_index=True,
                     column_config={"user": _("User"), "spent_usd": _("Spent (USD)"), "budget_usd": _("Budget (USD)"),
                                    "status": _("Status"),
                                    "used": st.column_config.ProgressColumn(_("Used"), format="percent", max_value=1)})
    elif allowed(user.role, "settings"):
        st.caption(_("No budgets yet. Set one below (user * applies to everyone without their own)."))
    else:
        st.caption(_("No budgets yet."))
    if allowed(user.role, "settings"):
        budget_form(db, user)


def budget_form(db, user) -> None:
    """Admins set a user's monthly budget, the warning threshold and hard limits."""
    policy = budgets.get_policy(db)
    with st.expander(_("Manage budgets")), st.form("analytics_budget_form"):
        who = st.text_input(_("User (email, or * for everyone)"), key="analytics_budget_user")
        usd = st.number_input(_("Monthly budget (USD)"), min_value=0.0, step=10.0, key="analytics_budget_usd")
        hard = st.toggle(_("Refuse generations past 100% (hard limits)"), policy.hard_limits, key="analytics_hard")
        warn = st.slider(_("Warn at"), 0.5, 1.0, float(policy.warn_at), 0.05, key="analytics_warn_at")
        if st.form_submit_button(_("Save")):
            with friendly_errors(_("Saving the budgets")):
                if who.strip():
                    budgets.set_budget(db, user, who, usd)
                budgets.set_policy(db, user, hard_limits=hard, warn_at=warn)
                st.success(_("Budgets saved."))


user = current_user()
st.title(_("Analytics"))
if not allowed(user.role, "view_analytics"):
    st.error(_("Analytics is for editors and admins: ask an admin for access."))
    st.stop()
options = load_options()
filters, grain = pick_filters(options)
if not options["type"]:
    st.info(_("No generations are logged yet. Generate something in Content Studio, or load realistic demo data "
              "with {command}, then come back.").format(command="`python -m core demo-data --rows 10000`"))
    st.stop()
with friendly_errors(_("Computing the figures")), st.spinner(_("Crunching the numbers…")):
    board = load_dashboard(filters, grain)
    kpi_row(board)
    quality_row(filters)
    if board.is_empty:
        st.info(_("No generations match these filters. Widen the date range or clear some filters."))
    else:
        charts_section(board)
        export_section(board)
    api_section(filters)
budgets_section(user)
