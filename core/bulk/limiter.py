"""A shared per-provider pace for bulk jobs: requests/min and tokens/min, enforced on every provider call."""

import threading
import time
from contextlib import contextmanager

from ..hookspecs import hookimpl
from ..plugins import pm

_limiters: dict[str, "ProviderLimiter"] = {}
_limiters_lock = threading.Lock()
_current = threading.local()


class ProviderLimiter:
    """Spaces calls evenly at `rpm` per minute and keeps estimated tokens under `tpm` per minute.

    Each caller reserves the next free slot under the lock and sleeps outside it, so many threads
    share one schedule and the provider sees a steady rate instead of bursts that earn 429s.
    """

    def __init__(self, rpm: float | None = None, tpm: float | None = None, clock=time.monotonic,
                 sleep=time.sleep):
        self.rpm, self.tpm, self.clock, self.sleep = rpm, tpm, clock, sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._tokens_free_at = 0.0  # when the token budget is back to zero debt
        self._paused_until = 0.0

    def configure(self, rpm: float | None, tpm: float | None) -> None:
        """Change the limits (a new job may set different ones)."""
        with self._lock:
            self.rpm, self.tpm = rpm or None, tpm or None

    def reserve(self, tokens: int = 0) -> float:
        """Reserve a slot for one call of about `tokens` tokens; returns how long to wait for it."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next_slot, self._paused_until)
            if self.tpm:
                # Token budget as a leaky bucket: it drains at tpm/60 per second and may hold one minute.
                drain = self.tpm / 60.0
                backlog_end = max(now, self._tokens_free_at) + min(tokens, self.tpm) / drain
                start = max(start, backlog_end - 60.0)
                self._tokens_free_at = backlog_end
            if self.rpm:
                self._next_slot = start + 60.0 / self.rpm
            return max(0.0, start - now)

    def acquire(self, tokens: int = 0) -> None:
        """Wait for this call's turn."""
        wait = self.reserve(tokens)
        if wait > 0:
            self.sleep(wait)

    def settle(self, estimated: int, actual: int) -> None:
        """Correct the token budget once a call reports how many tokens it really used."""
        if self.tpm and actual != estimated:
            with self._lock:
                self._tokens_free_at += (actual - estimated) / (self.tpm / 60.0)

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
    _current.limiter, _current.max_tokens, _current.estimate = limiter, max_tokens, 0
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
            _current.estimate = estimate_tokens(messages, _current.max_tokens)
            limiter.acquire(_current.estimate)

    @hookimpl
    def api_response(self, provider, completion):
        limiter = getattr(_current, "limiter", None)
        if limiter is not None:
            limiter.settle(_current.estimate, completion.prompt_tokens + completion.completion_tokens)


if not pm.has_plugin("core.bulk.pacing"):
    pm.register(PacingPlugin(), name="core.bulk.pacing")
