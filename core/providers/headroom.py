"""What a provider's rate-limit headers say about the room left, so callers slow down before a 429.

Read from every HTTP response (an httpx event hook on the SDK's client):
  * OpenAI and compatible servers: `x-ratelimit-remaining-requests|tokens`, `x-ratelimit-reset-requests|tokens`
    (durations such as "1s", "6m0s", "20ms"), https://platform.openai.com/docs/guides/rate-limits
  * Anthropic: `anthropic-ratelimit-requests|tokens-remaining` and `-reset` (RFC 3339 times),
    https://docs.anthropic.com/en/api/rate-limits
  * any: `retry-after` (seconds or an HTTP date) and `retry-after-ms`.
When the requests left are at most `LOW_REQUESTS`, or the tokens left at most `LOW_TOKENS_FRACTION` of the
limit, new calls wait for the reset; a Retry-After holds them for that long.
"""

import re
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

LOW_REQUESTS = 1
LOW_TOKENS_FRACTION = 0.02
MAX_HOLD_SECONDS = 120.0
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_send_gates: list = []
_response_listeners: list = []
_holds: dict[tuple[str, bool], float] = {}  # (provider, paced) → time.time() before which no new call starts
_limited: dict[str, float] = {}  # provider → time.time() of its latest rate-limit 429 (not a quota one)
_lock = threading.Lock()
_waits = threading.local()


def parse_duration(value: str | None) -> float | None:
    """Seconds in an OpenAI reset header ("1s", "6m0s", "20ms", "0.5s"), or a bare number of seconds."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def parse_reset(value: str | None, now: float) -> float | None:
    """Seconds until a reset given as a duration or an RFC 3339 time."""
    seconds = parse_duration(value)
    if seconds is not None or not value:
        return seconds
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, moment.timestamp() - now)


def retry_after_seconds(headers, now: float | None = None) -> float | None:
    """Retry-After as seconds: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date."""
    now = time.time() if now is None else now
    try:
        if headers.get("retry-after-ms") is not None:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp() - now)


def _number(headers, *names: str) -> float | None:
    for name in names:
        try:
            if headers.get(name) is not None:
                return float(headers[name])
        except ValueError:
            continue
    return None


def hold_for(headers, now: float | None = None, low: int = LOW_REQUESTS) -> float:
    """How long new calls should wait, in seconds, from one response's headers (0 when there is room): until
    the reset when at most `low` requests are left (-1: never, for callers that pace to the RPM themselves)."""
    now = time.time() if now is None else now
    waits = [retry_after_seconds(headers, now) or 0.0]
    remaining = _number(headers, "x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining")
    if remaining is not None and remaining <= low:
        reset = headers.get("x-ratelimit-reset-requests") or headers.get("anthropic-ratelimit-requests-reset")
        waits.append(parse_reset(reset, now) or 0.0)
    tokens = _number(headers, "x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining")
    limit = _number(headers, "x-ratelimit-limit-tokens", "anthropic-ratelimit-tokens-limit")
    if tokens is not None and limit and tokens <= limit * LOW_TOKENS_FRACTION:
        reset = headers.get("x-ratelimit-reset-tokens") or headers.get("anthropic-ratelimit-tokens-reset")
        waits.append(parse_reset(reset, now) or 0.0)
    return min(MAX_HOLD_SECONDS, max(waits))


def observe(provider: str, headers, status: int = 200) -> None:
    """Record what a response's headers say; called for every response the provider's client receives."""
    now = time.time()
    if status == 429 and headers.get("x-should-retry") != "false":  # "false": out of quota (QuotaAwareTransport)
        with _lock:
            _limited[provider] = now
    for paced in (False, True):
        wait = hold_for(headers, now, -1 if paced else LOW_REQUESTS)
        if wait > 0:
            with _lock:
                _holds[provider, paced] = max(_holds.get((provider, paced), 0.0), now + wait)


def wait_seconds(provider: str, paced: bool = False) -> float:
    """Seconds a new call to the provider should still wait (0 when none). `paced` calls keep to the RPM
    themselves, evenly spaced, so a full window (none left, and its reset, which means "all back") is their
    steady state: they wait only for a Retry-After or the tokens."""
    with _lock:
        return max(0.0, _holds.get((provider, paced), 0.0) - time.time())


def limited_within(provider: str, seconds: float) -> bool:
    """Whether the provider answered a rate-limit 429 in the last `seconds`."""
    with _lock:
        return time.time() - _limited.get(provider, float("-inf")) < seconds


def clear() -> None:
    """Forget every hold (tests)."""
    with _lock:
        _holds.clear()
        _limited.clear()


def add_send_gate(gate) -> None:
    """Call gate(provider) right before each HTTP request goes out (it may wait: bulk pacing)."""
    if gate not in _send_gates:
        _send_gates.append(gate)


def add_response_listener(listener) -> None:
    """Call listener(provider, response) when a response's headers arrive (before its body is read)."""
    if listener not in _response_listeners:
        _response_listeners.append(listener)


def _on_response(provider: str, response) -> None:
    observe(provider, response.headers, response.status_code)
    for listener in _response_listeners:
        listener(provider, response)


def _before_send(provider: str) -> None:
    started = time.perf_counter()
    for gate in _send_gates:
        gate(provider)
    _waits.seconds = waited() + time.perf_counter() - started


def waited() -> float:
    """Seconds this thread has spent in the send gates so far: pacing, which no call deadline should count."""
    return getattr(_waits, "seconds", 0.0)


def event_hooks(provider: str) -> dict:
    """httpx event hooks: the send gates before each request (SDK retries included), observe() and the response
    listeners after."""
    return {"request": [lambda request: _before_send(provider)],
            "response": [lambda response: _on_response(provider, response)]}
