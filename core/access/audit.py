"""The per-call API audit log and what the Analytics page reads from it: error rates by endpoint."""

import logging
import queue
import threading
from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, insert, select
from sqlalchemy.engine import Engine

from ..db import session_scope
from ..models import utcnow
from .models import ApiCall

FLUSH_SECONDS = 0.5
log = logging.getLogger("contentcraft.api")


class AuditLog:
    """Buffers API call rows and writes them in batches from one thread, off the request's path."""

    def __init__(self, engine: Engine, interval: float = FLUSH_SECONDS):
        self.engine, self.interval = engine, interval
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.stopped, self.lock = threading.Event(), threading.Lock()
        self.thread = threading.Thread(target=self._run, name="contentcraft-api-audit", daemon=True)
        self.thread.start()

    def record(self, *, token_id: int | None, user: str, method: str, endpoint: str, status_code: int,
               latency_ms: float, problem: str = "") -> None:
        """Queue one call (endpoint is the route template, e.g. /api/items/{item_id})."""
        self.queue.put({"created_at": utcnow(), "token_id": token_id, "user": user[:255], "method": method,
                        "endpoint": endpoint[:120], "status_code": status_code,
                        "latency_ms": round(latency_ms, 2), "problem": problem[:60]})

    def flush(self) -> int:
        """Write every queued row now; returns how many."""
        with self.lock:
            rows = []
            while not self.queue.empty():
                rows.append(self.queue.get_nowait())
            if rows:
                with session_scope(self.engine) as session:
                    session.execute(insert(ApiCall.__table__), rows)
            return len(rows)

    def close(self) -> None:
        """Stop the thread after a last flush."""
        self.stopped.set()
        self.thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.flush()
            except Exception:  # an unreachable database must not stop the thread; the batch is logged as lost
                log.exception("API audit rows could not be written", extra={"event": "api_audit_error"})


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
