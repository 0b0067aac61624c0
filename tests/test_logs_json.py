"""The JSON log lines carry an exception's type and traceback, and no unknown extras."""

import json
import logging

from core.logs import JSONFormatter


def _line(logger_call) -> dict:
    logger = logging.getLogger("contentcraft.test_logs_json")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger_call(logger)
    finally:
        logger.removeHandler(handler)
    return json.loads(JSONFormatter().format(records[0]))


def test_exception_type_and_traceback_are_logged():
    def fail(logger):
        try:
            {}["missing"]
        except KeyError:
            logger.exception("lookup failed", extra={"event": "lookup", "password": "hunter2"})

    line = _line(fail)
    assert line["message"] == "lookup failed" and line["event"] == "lookup"
    assert line["exc_type"] == "KeyError"
    assert "Traceback (most recent call last)" in line["traceback"] and "KeyError: 'missing'" in line["traceback"]
    assert "password" not in line and "hunter2" not in json.dumps(line)


def test_plain_lines_have_no_exception_fields():
    line = _line(lambda logger: logger.warning("careful"))
    assert line["level"] == "WARNING" and "exc_type" not in line and "traceback" not in line
