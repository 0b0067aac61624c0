"""Look-ups a bulk row may take from a few seconds ago (a user's budget, the connected WordPress sites), so a
job's rows do not ask the database the same thing each time; every other caller reads them fresh."""

import time
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar

_seconds: ContextVar[float] = ContextVar("contentcraft_reuse_seconds", default=0.0)
_recent: dict[Hashable, tuple[float, object]] = {}


@contextmanager
def reusing(seconds: float):
    """Within this block, recent() may answer from a look-up made up to `seconds` ago in this process."""
    token = _seconds.set(seconds)
    try:
        yield
    finally:
        _seconds.reset(token)


def recent(key: Hashable, look_up: Callable[[], object]):
    """look_up()'s value, or inside reusing() the one it gave for `key` within the allowed seconds."""
    seconds = _seconds.get()
    if not seconds:
        return look_up()
    now, kept = time.monotonic(), _recent.get(key)
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    value = look_up()
    _recent[key] = (now, value)
    return value
