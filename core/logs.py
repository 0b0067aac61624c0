"""Structured JSON log lines and the generation log table."""

import hashlib
import json
import logging
import sys
from datetime import datetime, timezone

from .models import GenerationLog

FIELDS = ("event", "type", "user_hash", "latency_ms", "tokens", "provider", "model", "cache_hit", "status",
          "error_type", "item_id", "host")
log = logging.getLogger("contentcraft")


class JSONFormatter(logging.Formatter):
    """One JSON object per line with the known fields (and any exception's type and traceback) only."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send ContentCraft's logs as JSON lines to the current stderr."""
    for handler in log.handlers:
        if isinstance(handler.formatter, JSONFormatter):
            handler.stream = sys.stderr  # not setStream(): it flushes the old, possibly closed, stream
            return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False


def user_hash(user: str) -> str:
    """A stable pseudonym for a user in log lines."""
    return hashlib.sha256(user.encode("utf-8")).hexdigest()[:12]


def log_generation(entry: GenerationLog) -> None:
    """The JSON log line for a generation log row; the user appears only as a hash."""
    log.info("generation", extra={
        "event": "generation", "type": entry.type, "user_hash": user_hash(entry.user),
        "latency_ms": entry.latency_ms, "tokens": entry.tokens, "provider": entry.provider, "model": entry.model,
        "cache_hit": entry.cache_hit, "status": entry.status, "host": entry.host})
