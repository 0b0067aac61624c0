"""A shared per-provider limit for bulk jobs: requests/min and tokens/min, enforced on every provider call."""

import threading
import time
from collections import deque
from contextlib import contextmanager

from ..hookspecs import hookimpl
from ..plugins import pm

WINDOW_SECONDS = 60.0
_limiters: dict[str, "ProviderLimiter"] = {}
_limiters_lock = threading.Lock()
_current = threading.local()


class ProviderLimiter:
    """At most `rpm` calls and `tpm` estimated tokens a minute, in any `window`, shared by every thread.

    Each caller reserves the earliest start that keeps the window within both limits (a sliding log of
    reservations, kept in start order) and sleeps outside the lock until then. A job so uses the whole
    per-minute allowance, bursting up to its concurrency, but never more than the provider allows.
    """

    def __init__(self, rpm: float | None = None, tpm: float | None = None, window: float = WINDOW_SECONDS,
                 clock=time.monotonic, sleep=time.sleep, margin: float | None = None):
        self.rpm, self.tpm, self.window, self.clock, self.sleep = rpm, tpm, window, clock, sleep
        # Slack for network jitter: the provider sees a call a little after we start it.
        self.margin = 0.01 * window + 0.02 if margin is None else margin
        self._lock = threading.Lock()
        self._log: deque[list[float]] = deque()  # [start, tokens] per call, oldest first
        self._paused_until = 0.0

    @property
    def _token_budget(self) -> float:
        return self.tpm * self.window / 60

    def configure(self, rpm: float | None, tpm: float | None) -> None:
        """Change the limits (a new job may set different ones)."""
        with self._lock:
            self.rpm, self.tpm = rpm or None, tpm or None

    def reserve(self, tokens: int = 0) -> tuple[float, list[float]]:
        """Reserve a start for one call of about `tokens` tokens: (seconds to wait, the reservation)."""
        with self._lock:
            now = self.clock()
            while self._log and self._log[0][0] <= now - self.window - self.margin:
                self._log.popleft()
            start = max(now, self._paused_until, self._log[-1][0] if self._log else now)
            calls = max(1, int(self.rpm * self.window / 60)) if self.rpm else None
            if calls and len(self._log) >= calls:
                start = max(start, self._log[-calls][0] + self.window + self.margin)
            if self.tpm:
                tokens = min(tokens, int(self._token_budget))
                start = self._token_start(start, tokens)
            entry = [start, tokens]
            self._log.append(entry)
            return max(0.0, start - now), entry

    def _token_start(self, start: float, tokens: int) -> float:
        """The earliest start from `start` on at which the window's tokens leave room for `tokens`."""
        while True:
            in_window = [entry for entry in self._log if entry[0] > start - self.window - self.margin]
            if not in_window or sum(entry[1] for entry in in_window) + tokens <= self._token_budget:
                return start
            start = in_window[0][0] + self.window + self.margin

    def acquire(self, tokens: int = 0) -> list[float]:
        """Wait for this call's turn; returns the reservation to settle once the real usage is known."""
        wait, entry = self.reserve(tokens)
        if wait > 0:
            self.sleep(wait)
        return entry

    def settle(self, entry: list[float], actual_tokens: int) -> None:
        """Replace a call's estimated tokens with what it really used."""
        with self._lock:
            entry[1] = actual_tokens

    def pause(self, seconds: float) -> None:
        """Hold every caller back for `seconds` (the provider said Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)


def limiter_for(provider: str, rpm: float | None = None, tpm: float | None = None) -> ProviderLimiter:
    """The process-wide limiter for a provider, set to the given limits."""
    with _limiters_lock:
        limiter = _limiters.setdefault(provider, ProviderLimiter())
    limiter.configure(rpm, tpm)
    return limiter


def estimate_tokens(messages: list[dict], max_tokens: int) -> int:
    """What a call may cost before it is sent: about four characters a token in, plus the answer budget."""
    return sum(len(m.get("content") or "") for m in messages) // 4 + max_tokens


@contextmanager
def paced(limiter: ProviderLimiter, max_tokens: int):
    """Within this block, every provider call made by this thread waits for `limiter`."""
    _current.limiter, _current.max_tokens, _current.entry = limiter, max_tokens, None
    try:
        yield limiter
    finally:
        _current.limiter = None


class PacingPlugin:
    """Hook implementations that make provider calls in a paced thread wait their turn."""

    @hookimpl
    def before_api_request(self, provider, messages):
        limiter = getattr(_current, "limiter", None)
        if limiter is not None:
            _current.entry = limiter.acquire(estimate_tokens(messages, _current.max_tokens))

    @hookimpl
    def api_response(self, provider, completion):
        limiter = getattr(_current, "limiter", None)
        if limiter is not None and _current.entry is not None:
            limiter.settle(_current.entry, completion.prompt_tokens + completion.completion_tokens)


if not pm.has_plugin("core.bulk.pacing"):
    pm.register(PacingPlugin(), name="core.bulk.pacing")
