"""Provider limits for bulk rows, shared by every worker process: even RPM pacing, a TPM budget, header headroom.

Three layers, each from a library or the provider itself:
  * `queue_limiter()`: the DBOS queue's rate limiter, global across processes, spaces the rows' starts evenly
    (60 RPM starts one row a second, never a minute's allowance at once: providers may enforce their
    limits "quantized" over short windows, https://platform.openai.com/docs/guides/rate-limits).
  * `ProviderBudget`: right before each HTTP call (a row may make more than one), the `limits` library's
    moving window keeps requests within the RPM over a window of a few seconds and its sliding-window
    counter keeps tokens within the TPM, in memory or in Redis when CONTENTCRAFT_REDIS_URL is set.
  * `core.providers.headroom`: the vendor's own rate-limit headers hold new calls before the 429.
"""

import math
import threading
import time
from contextlib import contextmanager
from fractions import Fraction

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from ..hookspecs import hookimpl
from ..plugins import pm
from ..providers import headroom

MARGIN = 0.03  # starts a little slower than the limit: a call reaches the provider a little after it starts
BURST_SECONDS = 0.25  # at high RPM, DBOS may start this many seconds' worth of rows together
_current = threading.local()
_budgets: dict[str, "ProviderBudget"] = {}
_budgets_lock = threading.Lock()


def queue_limiter(rpm: float | None) -> dict | None:
    """The DBOS limiter for an RPM: {"limit": starts, "period": seconds}, e.g. 60 → 1 per 1.03 s; None for none."""
    if not rpm:
        return None
    per_second = rpm / 60
    limit = max(1, int(per_second * BURST_SECONDS))
    return {"limit": limit, "period": round(limit / per_second * (1 + MARGIN), 4)}


def request_window(rpm: float) -> tuple[int, int]:
    """(calls, seconds): the RPM over the shortest window of whole seconds that holds a whole call, rounded down."""
    per_second = Fraction(rpm / 60).limit_denominator(60)
    seconds = per_second.denominator
    return max(1, math.floor(rpm / 60 * seconds)), seconds


class ProviderBudget:
    """Requests and tokens per provider, counted in `limits` storage ("memory://" or a Redis URL)."""

    def __init__(self, storage_uri: str = "memory://", sleep=time.sleep):
        self.storage = storage_from_string(storage_uri)
        self.requests = MovingWindowRateLimiter(self.storage)
        self.tokens = SlidingWindowCounterRateLimiter(self.storage)
        self.sleep = sleep
        self.answer_tokens: dict[str, float] = {}  # provider → recent average completion tokens

    def acquire(self, provider: str, rpm: float | None, tpm: float | None, prompt_tokens: int,
                max_tokens: int) -> int:
        """Wait until one call of about this size fits every limit; returns the tokens charged for it."""
        while (hold := headroom.wait_seconds(provider)) > 0:
            self.sleep(hold)
        if rpm:
            calls, seconds = request_window(rpm)
            self._take(self.requests, RateLimitItemPerSecond(calls, seconds), provider, "requests", 1)
        charged = 0
        if tpm:
            expected = self.answer_tokens.get(provider, max_tokens)
            charged = min(int(tpm), prompt_tokens + int(expected))
            self._take(self.tokens, RateLimitItemPerMinute(int(tpm)), provider, "tokens", charged)
        return charged

    def settle(self, provider: str, tpm: float | None, charged: int, used: int, completion: int) -> None:
        """Charge what a call used beyond its estimate (without waiting), and learn the answers' size."""
        previous = self.answer_tokens.get(provider)
        self.answer_tokens[provider] = completion if previous is None else 0.8 * previous + 0.2 * completion
        if tpm and used > charged:
            self.tokens.hit(RateLimitItemPerMinute(int(tpm)), "contentcraft-bulk", provider, "tokens",
                            cost=min(int(tpm), used - charged))

    def _take(self, limiter, item, provider: str, kind: str, cost: int) -> None:
        keys = ("contentcraft-bulk", provider, kind)
        while not limiter.hit(item, *keys, cost=cost):
            reset = limiter.get_window_stats(item, *keys).reset_time
            self.sleep(min(item.get_expiry(), max(0.005, reset - time.time())))


def budget_for(redis_url: str | None) -> ProviderBudget:
    """The process's budget for a storage: shared by every process through Redis when it is configured."""
    uri = redis_url or "memory://"
    with _budgets_lock:
        if uri not in _budgets:
            _budgets[uri] = ProviderBudget(uri)
        return _budgets[uri]


def estimate_prompt_tokens(messages: list[dict]) -> int:
    """About four characters a token."""
    return sum(len(m.get("content") or "") for m in messages) // 4


@contextmanager
def paced(budget: ProviderBudget, provider: str, rpm: float | None, tpm: float | None, max_tokens: int):
    """Within this block, every provider call this thread makes waits for the budget."""
    _current.budget, _current.limits, _current.charged = budget, (provider, rpm, tpm, max_tokens), 0
    try:
        yield budget
    finally:
        _current.budget = None


class PacingPlugin:
    """Hook implementations that make provider calls in a paced thread wait their turn."""

    @hookimpl
    def before_api_request(self, provider, messages):
        budget = getattr(_current, "budget", None)
        if budget is not None:
            name, rpm, tpm, max_tokens = _current.limits
            _current.charged = budget.acquire(name, rpm, tpm, estimate_prompt_tokens(messages), max_tokens)

    @hookimpl
    def api_response(self, provider, completion):
        budget = getattr(_current, "budget", None)
        if budget is not None:
            name, _, tpm, _ = _current.limits
            budget.settle(name, tpm, _current.charged, completion.prompt_tokens + completion.completion_tokens,
                          completion.completion_tokens)


if not pm.has_plugin("core.bulk.pacing"):
    pm.register(PacingPlugin(), name="core.bulk.pacing")
