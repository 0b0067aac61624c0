"""Structured JSON log lines and the generation log table."""

import hashlib
import json
import logging
import sys
from datetime import datetime, timezone

from sqlalchemy.engine import Engine

from .db import session_scope
from .models import GenerationLog

FIELDS = ("event", "type", "user_hash", "latency_ms", "tokens", "provider", "model", "cache_hit", "status",
          "error_type", "item_id")
log = logging.getLogger("contentcraft")


class JSONFormatter(logging.Formatter):
    """One JSON object per line with the known fields only, so no secret rides along in an extra."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send ContentCraft's logs as JSON lines to stderr, once."""
    if any(isinstance(h.formatter, JSONFormatter) for h in log.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False


def user_hash(user: str) -> str:
    """A stable pseudonym for a user in log lines."""
    return hashlib.sha256(user.encode("utf-8")).hexdigest()[:12]


def record_generation(engine: Engine, entry: GenerationLog) -> None:
    """Write a log row and the matching JSON log line."""
    with session_scope(engine) as session:
        session.add(entry)
    log.info("generation", extra={
        "event": "generation", "type": entry.type, "user_hash": user_hash(entry.user),
        "latency_ms": entry.latency_ms, "tokens": entry.tokens, "provider": entry.provider, "model": entry.model,
        "cache_hit": entry.cache_hit, "status": entry.status})
