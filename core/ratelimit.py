"""Per-user sliding-window rate limit, in memory or shared through Redis."""

import math
import threading
import time
import uuid
from collections import defaultdict, deque

from .errors import RateLimitedError
from .i18n import _

WINDOW_SECONDS = 60.0


class SlidingWindowLimiter:
    """At most `limit` events per user in any 60-second window, for this process."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, user: str) -> None:
        """Count one event for user, or raise RateLimitedError saying how long to wait."""
        now = self.clock()
        with self._lock:
            events = self._events[user]
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                raise _limited(self.limit, events[0] + self.window - now)
            events.append(now)


class RedisWindowLimiter:
    """The same sliding window kept in a Redis sorted set, shared by every process."""

    def __init__(self, client, limit: int, window: float = WINDOW_SECONDS):
        self.client, self.limit, self.window = client, limit, window

    def hit(self, user: str) -> None:
        key, now = f"contentcraft:rate:{user}", time.time()
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(key, 0, now - self.window)
        pipe.zrange(key, 0, 0, withscores=True)
        pipe.zcard(key)
        _added, oldest, count = pipe.execute()
        if count >= self.limit:
            raise _limited(self.limit, oldest[0][1] + self.window - now if oldest else self.window)
        pipe.zadd(key, {uuid.uuid4().hex: now})
        pipe.expire(key, int(self.window) + 1)
        pipe.execute()


def _limited(limit: int, wait: float) -> RateLimitedError:
    wait = max(1, math.ceil(wait))
    return RateLimitedError(_("You have reached the limit of {limit} generations per minute. Wait {wait} s and try "
                              "again.").format(limit=limit, wait=wait), retry_after=wait)


class FallbackLimiter:
    """Uses the shared Redis window while Redis answers, this process's window when it does not."""

    def __init__(self, primary: RedisWindowLimiter, fallback: SlidingWindowLimiter):
        self.primary, self.fallback = primary, fallback

    def hit(self, user: str) -> None:
        import redis

        try:
            self.primary.hit(user)
        except redis.RedisError:
            self.fallback.hit(user)


def make_limiter(limit: int, redis_url: str | None):
    """The per-user limiter: shared through Redis when configured."""
    local = SlidingWindowLimiter(limit)
    if not redis_url:
        return local
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return FallbackLimiter(RedisWindowLimiter(client, limit), local)
