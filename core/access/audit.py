"""The per-call API audit log and what the Analytics page reads from it: error rates by endpoint."""

from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from ..db import session_scope
from .models import ApiCall


def record_call(engine: Engine, *, token_id: int | None, user: str, method: str, endpoint: str,
                status_code: int, latency_ms: float, problem: str = "") -> None:
    """Store one API call (endpoint is the route template, e.g. /api/items/{item_id})."""
    with session_scope(engine) as session:
        session.add(ApiCall(token_id=token_id, user=user, method=method, endpoint=endpoint[:120],
                            status_code=status_code, latency_ms=round(latency_ms, 2), problem=problem[:60]))


def endpoint_errors(engine: Engine, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    """Per endpoint in [start, end): calls, client errors (4xx), server errors (5xx), error rate, mean latency."""
    client = func.sum(case((ApiCall.status_code.between(400, 499), 1), else_=0))
    server = func.sum(case((ApiCall.status_code >= 500, 1), else_=0))
    query = (select(ApiCall.method, ApiCall.endpoint, func.count(), client, server, func.avg(ApiCall.latency_ms))
             .group_by(ApiCall.method, ApiCall.endpoint))
    if start is not None:
        query = query.where(ApiCall.created_at >= start)
    if end is not None:
        query = query.where(ApiCall.created_at < end)
    with session_scope(engine) as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["method", "endpoint", "calls", "client_errors", "server_errors",
                                        "mean_ms"])
    frame["error_rate"] = (frame["client_errors"] + frame["server_errors"]) / frame["calls"].where(frame["calls"] > 0)
    frame["mean_ms"] = frame["mean_ms"].astype(float).round(1)
    return frame.sort_values(["error_rate", "calls"], ascending=False).reset_index(drop=True)
