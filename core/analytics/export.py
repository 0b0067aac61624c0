"""CSV and JSON out of the analytics: the filtered log rows (streamed) and every aggregate table."""

import io
import json
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..spreadsheet import report_headers, safe_cell, write_csv
from .filters import LOG, Filters, zone
from .queries import Dashboard

ROW_COLUMNS = ("id", "created_at", "user", "type", "target", "status", "error", "provider", "model", "language",
               "tone", "prompt_tokens", "completion_tokens", "tokens", "cost_usd", "latency_ms", "cache_hit")


def write_rows_csv(engine: Engine, filters: Filters, out: TextIO, limit: int | None = None) -> int:
    """Stream the filtered log rows, newest first, as CSV (times in the filter's zone); returns the count."""
    tz = zone(filters.tz)
    query = select(*(LOG.c[name] for name in ROW_COLUMNS)).where(filters.conditions()).order_by(LOG.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
        return write_csv(out, [*ROW_COLUMNS[:2], "created_at_utc", *ROW_COLUMNS[2:]],
                         ([row[0], row[1].astimezone(tz).isoformat(), row[1].isoformat(), *row[2:]] for row in rows))


def rows_csv(engine: Engine, filters: Filters, limit: int | None = None) -> bytes:
    """The filtered rows as CSV bytes (for a download button)."""
    buffer = io.StringIO()
    write_rows_csv(engine, filters, buffer, limit)
    return buffer.getvalue().encode("utf-8")


def table_csv(board: Dashboard, name: str) -> bytes:
    """One aggregate table as CSV bytes."""
    frame = board.tables[name]
    return frame.map(safe_cell).to_csv(index=False, header=report_headers(frame.columns)).encode("utf-8")


def summary_dict(board: Dashboard) -> dict:
    """Everything the page shows, JSON-ready."""
    return {"range": board.filters.describe(), "timezone": board.filters.tz, "grain": board.grain,
            "kpis": board.kpis, "previous": board.previous,
            "tables": {name: json.loads(frame.to_json(orient="records", date_format="iso"))
                       for name, frame in board.tables.items() if name != "kpis"}}
