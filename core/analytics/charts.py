"""Plotly figures for the analytics page: one colour per type and per provider everywhere, units on axes."""

import zlib

from babel.numbers import get_decimal_symbol, get_group_symbol
import pandas as pd
import plotly.graph_objects as go

from ..i18n import N_, _, current_language
from .filters import TYPES

TYPE_COLORS = dict(zip(TYPES, ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756")))
PROVIDER_COLORS = {"openai": "#10A37F", "anthropic": "#D97757", "local": "#6E7781", "ollama": "#1F6FEB",
                   "custom": "#8250DF", "(none)": "#BBBBBB"}
SPARE_COLORS = ("#72B7B2", "#EECA3B", "#FF9DA6", "#9D755D", "#BAB0AC", "#439894", "#83BCB6")
GRAIN_LABEL = {"day": N_("Day"), "week": N_("Week (from Monday)"), "month": N_("Month")}
DIMENSIONS = {"type": N_("Type"), "provider": N_("Provider"), "user": N_("User"), "model": N_("Model"),
              "tone": N_("Tone"), "language": N_("Language")}
HEIGHT = 340
PERIOD_MS = {"day": 86_400_000, "week": 7 * 86_400_000, "month": 30.44 * 86_400_000}
TICK_FORMAT = {"day": "%-d %b %Y", "week": "%-d %b %Y", "month": "%b %Y"}
MIN_PERIODS_SHOWN = 7  # a single day of data is one slim bar in a week, not a bar across the chart


def color_for(name: str, palette: dict[str, str]) -> str:
    """The fixed colour of a type or provider; unknown names get a stable spare colour."""
    return palette.get(name) or SPARE_COLORS[zlib.crc32(name.encode()) % len(SPARE_COLORS)]


def _layout(fig: go.Figure, x_title: str, y_title: str, **extra) -> go.Figure:
    language = current_language()  # plotly's separators: the decimal mark, then the thousands mark
    fig.update_layout(height=HEIGHT, margin=dict(l=10, r=10, t=30, b=10), legend_title_text="",
                      separators=get_decimal_symbol(language) + get_group_symbol(language),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), **extra)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def _time_axis(fig: go.Figure, buckets: pd.Series, grain: str) -> go.Figure:
    """A date axis in whole buckets: bars one bucket wide, ticks per bucket, at least a week's room."""
    period = PERIOD_MS[grain]
    fig.update_traces(width=period * 0.8, selector={"type": "bar"})
    fig.update_xaxes(type="date", tickformat=TICK_FORMAT[grain],
                     dtick="M1" if grain == "month" else period)
    dates = pd.to_datetime(pd.Series(buckets).dropna().unique())
    if len(dates):
        first, last = dates.min(), dates.max()
        missing = max(0, MIN_PERIODS_SHOWN - 1 - (last - first) / pd.Timedelta(milliseconds=period))
        pad = pd.Timedelta(milliseconds=period * (0.5 + missing / 2))
        fig.update_xaxes(range=[first - pad, last + pad])
    return fig


def volume_chart(volume: pd.DataFrame, grain: str, tz: str) -> go.Figure:
    """Generations per bucket, stacked by type."""
    fig = go.Figure()
    for type_name, part in volume.groupby("type", sort=False):
        fig.add_bar(x=part["bucket"], y=part["generations"], name=type_name,
                    marker_color=color_for(type_name, TYPE_COLORS))
    _time_axis(fig, volume["bucket"] if "bucket" in volume else pd.Series(dtype=str), grain)
    return _layout(fig, _time_title(grain, tz), _("Generations (count)"), barmode="stack")


def _time_title(grain: str, tz: str) -> str:
    return _("{grain} ({zone})").format(grain=_(GRAIN_LABEL[grain]), zone=tz)


def _dimension(name: str) -> str:
    return _(DIMENSIONS[name]) if name in DIMENSIONS else name.capitalize()


def latency_chart(latency: pd.DataFrame, dimension: str) -> go.Figure:
    """p50 (solid) and p95 (hatched) latency per type or provider."""
    palette = TYPE_COLORS if dimension == "type" else PROVIDER_COLORS
    colors = [color_for(name, palette) for name in latency[dimension]]
    fig = go.Figure()
    fig.add_bar(x=latency[dimension], y=latency["p50_ms"], name="p50", marker_color=colors)
    fig.add_bar(x=latency[dimension], y=latency["p95_ms"], name="p95", marker_color=colors,
                marker_pattern_shape="/", opacity=0.7)
    return _layout(fig, _dimension(dimension), _("Latency (ms)"), barmode="group")


def usage_chart(usage: pd.DataFrame, key: str, measure: str) -> go.Figure:
    """Tokens or cost per user (bars) or per model (bars coloured by provider), largest on top."""
    frame = usage.sort_values(measure).tail(15)
    labels = frame["model"] if key == "model" else frame["user"]
    colors = ([color_for(p, PROVIDER_COLORS) for p in frame["provider"]] if key == "model" else "#4C78A8")
    fig = go.Figure(go.Bar(x=frame[measure], y=labels, orientation="h", marker_color=colors,
                           hovertext=frame.get("provider")))
    unit = _("Cost (USD)") if measure == "cost_usd" else _("Tokens (count)")
    return _layout(fig, unit, _dimension(key))


def rate_chart(over_time: pd.DataFrame, rate: str, grain: str, tz: str) -> go.Figure:
    """Error rate or cache hit rate per bucket, in percent."""
    label = {"error_rate": _("Error rate (%)"), "cache_hit_rate": _("Cache hit rate (%)")}[rate]
    color = "#E45756" if rate == "error_rate" else "#54A24B"
    fig = go.Figure(go.Scatter(x=over_time["bucket"], y=over_time[rate] * 100, mode="lines+markers",
                               line_color=color, name=label))
    _time_axis(fig, over_time["bucket"], grain)
    return _layout(fig, _time_title(grain, tz), label, yaxis_rangemode="tozero")


def share_chart(frame: pd.DataFrame, key: str) -> go.Figure:
    """Generations per tone or language, most used on top."""
    shown = frame.head(12).iloc[::-1]
    fig = go.Figure(go.Bar(x=shown["generations"], y=shown[key], orientation="h", marker_color="#72B7B2"))
    return _layout(fig, _("Generations (count)"), _dimension(key))
