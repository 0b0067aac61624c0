"""Provider limits for bulk rows, shared by every worker process: even RPM pacing, a TPM budget, header headroom.

Three layers, each from a library or the provider itself:
  * `ProviderBudget` send slots, in memory or in Redis when CONTENTCRAFT_REDIS_URL is set: as each HTTP request
    leaves (a row may send more than one, SDK retries included) it takes the next evenly spaced slot (GCRA with
    no burst, taken at send time), so 60 RPM sends one request a second, never a minute's allowance at once: providers may enforce
    their limits "quantized" over short windows (https://platform.openai.com/docs/guides/rate-limits).
    The pacing is at send time, not at a row's start: nothing slow before the request (building the prompt,
    the first connection) can bunch requests up. DBOS's queue limiter is not used: it paces workflow starts
    (a row is not a workflow; a send is not either), and measured with dbos 3.4 as a "send permit" queue at
    4 per second it let 8 start within one second (on SQLite and on Postgres) and took 1-2 s to start the
    first; these slots run 240 RPM jobs at 1.05-1.06x N/RPM with no 429 (benchmarks/bulk_throughput.py).
  * before each call the `limits` library's sliding-window counter keeps tokens within the TPM.
  * `core.providers.headroom`: the vendor's own rate-limit headers hold new calls before the 429.
"""

import threading
import time
from contextlib import contextmanager

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from ..hookspecs import hookimpl
from ..plugins import pm
from ..providers import headroom

# Sends a little slower than the limit: a request reaches the provider a little after it leaves, and not always
# equally late. Slots are taken when a request leaves, so a late sender never crowds the next one; what is
# left is the trip to the provider, which must not bring a window's requests closer than the limit.
MARGIN = 0.05
# A 429 all the same means requests reached the provider bunched up (a sender held up between its slot and the
# wire on a busy machine): for a while after one, send a little slower still.
LIMITED_MARGIN = 0.12
LIMITED_SECONDS = 60.0
_current = threading.local()
_budgets: dict[str, "ProviderBudget"] = {}
_budgets_lock = threading.Lock()


class ProviderBudget:
    """Requests and tokens per provider, counted in `limits` storage ("memory://" or a Redis URL)."""

    def __init__(self, storage_uri: str = "memory://", sleep=time.sleep):
        self.storage = storage_from_string(storage_uri)
        self.tokens = SlidingWindowCounterRateLimiter(self.storage)
        self.slots = RedisSlots(storage_uri) if storage_uri.startswith("redis") else MemorySlots()
        self.sleep = sleep
        self.answer_tokens: dict[str, float] = {}  # provider → recent average completion tokens
        self.waiting: dict[str, threading.Lock] = {}  # provider → held by this process's one sender asking for a slot

    def before_send(self, provider: str, rpm: float | None) -> None:
        """Wait for this request's evenly spaced slot under the RPM, and for the provider's own headers."""
        while (hold := headroom.wait_seconds(provider, paced=bool(rpm))) > 0:
            self.sleep(hold)
        if rpm:
            margin = LIMITED_MARGIN if headroom.limited_within(provider, LIMITED_SECONDS) else MARGIN
            # One sender per process asks for the next slot, the others queue behind it: were all of a worker's
            # lanes to wake for each slot, the one that won it would reach the wire late, behind their asking.
            with self.waiting.setdefault(provider, threading.Lock()):
                while (wait := self.slots.take(f"contentcraft-bulk:{provider}:next", 60 / rpm * (1 + margin))) > 0:
                    self.sleep(wait)

    def acquire(self, provider: str, tpm: float | None, prompt_tokens: int, max_tokens: int) -> int:
        """Wait until one call of about this size fits the TPM; returns the tokens charged for it."""
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


class MemorySlots:
    """Evenly spaced sends in this process: GCRA with no burst (ITU-T I.371; as redis-cell), taken at send
    time, so a sender that wakes up late moves the next slot back instead of crowding the one after it."""

    def __init__(self, clock=time.monotonic):
        self.clock, self.next = clock, {}
        self.lock = threading.Lock()

    def take(self, key: str, interval: float) -> float:
        """0 when a send may go now (the next one then waits `interval` seconds), else seconds to wait first."""
        with self.lock:
            now = self.clock()
            due = self.next.get(key, 0.0)
            if now < due:
                return due - now
            self.next[key] = now + interval
            return 0.0


class RedisSlots:
    """The same slots kept in Redis, on Redis's clock, so every process and machine shares one pace."""

    SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
    local due = tonumber(redis.call('GET', KEYS[1]) or '0')
    if now < due then
        return string.format('%.6f', due - now)
    end
    local interval = tonumber(ARGV[1])
    redis.call('SET', KEYS[1], string.format('%.6f', now + interval), 'PX', math.ceil(interval * 1000) + 60000)
    return '0'
    """

    def __init__(self, url: str):
        import redis

        self.script = redis.Redis.from_url(url).register_script(self.SCRIPT)

    def take(self, key: str, interval: float) -> float:
        return float(self.script(keys=[key], args=[interval]))


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
def paced(budget: ProviderBudget, provider: str, rpm: float | None, tpm: float | None, max_tokens: int,
          probe=None, lane_slot=None):
    """Within this block, every provider call this thread makes waits for the budget; with a `lane_slot`
    (`overlap.SendSlot`), each call takes it and gives it back once answered (a call that fails keeps it for
    the caller to give back once the failure is dealt with); a `probe` (`claim.Probe`) is told when a call
    leaves and when one is answered (before the answer is checked and saved)."""
    _current.budget, _current.limits, _current.charged = budget, (provider, rpm, tpm, max_tokens), 0
    _current.probe, _current.slot = probe, lane_slot
    try:
        yield budget
    finally:
        _current.budget = _current.probe = _current.slot = None


class PacingPlugin:
    """Hook implementations that make provider calls in a paced thread wait their turn."""

    @hookimpl
    def before_api_request(self, provider, messages):
        budget = getattr(_current, "budget", None)
        if budget is not None:
            if _current.slot is not None:
                _current.slot.take()
            name, _, tpm, max_tokens = _current.limits
            _current.charged = budget.acquire(name, tpm, estimate_prompt_tokens(messages), max_tokens)

    @hookimpl
    def api_response(self, provider, completion):
        budget = getattr(_current, "budget", None)
        if budget is not None:
            if _current.slot is not None:
                _current.slot.give_back(answered=True)
            name, _, tpm, _ = _current.limits
            budget.settle(name, tpm, _current.charged, completion.prompt_tokens + completion.completion_tokens,
                          completion.completion_tokens)
            if _current.probe is not None:
                _current.probe.answered()


def send_gate(provider: str) -> None:
    """Right before a paced thread's HTTP request leaves: the RPM and header checks, so nothing slow
    (building the SDK client, the first connection) can shift a request into the next provider window."""
    budget = getattr(_current, "budget", None)
    if budget is not None and provider == _current.limits[0]:
        if _current.slot is not None:
            _current.slot.take()  # an SDK retry after an answer was given back (a body cut off) takes it again
        budget.before_send(provider, _current.limits[1])
        if _current.probe is not None:
            _current.probe.sent()


def answer_arrived(provider: str, response) -> None:
    """A paced thread's answer has arrived (a whole JSON body follows its headers): the provider is done with
    the call, so the lane's next row may go out while this one is read, and so may a probe row's other lanes.
    Not for an error, which the SDK may retry, nor a stream, whose headers come first."""
    if response.status_code >= 300 or "event-stream" in response.headers.get("content-type", ""):
        return
    if getattr(_current, "slot", None) is not None:
        _current.slot.give_back(answered=True)
    if getattr(_current, "probe", None) is not None:  # the account took the call: the other lanes go out now
        _current.probe.answered()


if not pm.has_plugin("core.bulk.pacing"):
    pm.register(PacingPlugin(), name="core.bulk.pacing")
headroom.add_send_gate(send_gate)
headroom.add_response_listener(answer_arrived)
