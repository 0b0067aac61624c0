"""Per-token sliding-window rate limit for API calls, kept by the `limits` library.

A moving window (the log of hit times over the last 60 s) in this process's memory, or in Redis when
CONTENTCRAFT_REDIS_URL is set so every API worker and replica shares it.
"""

import logging
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..errors import RateLimitedError
from ..i18n import _

log = logging.getLogger("contentcraft.api")


class TokenThrottle:
    """At most `per_minute` calls per token in any 60-second window."""

    def __init__(self, per_minute: int, redis_url: str | None = None):
        self.item = RateLimitItemPerMinute(per_minute)
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.shared = MovingWindowRateLimiter(storage_from_string(_limits_url(redis_url))) if redis_url else None

    def hit(self, token_id: int) -> None:
        """Count one call, or raise RateLimitedError with the seconds until a slot frees up."""
        limiter = self.shared or self.local
        try:
            allowed = limiter.hit(self.item, "api-token", str(token_id))
        except Exception as exc:  # Redis unreachable: this process's window keeps limiting meanwhile
            log.warning("API rate limit falls back to this process: %s", type(exc).__name__)
            limiter = self.local
            allowed = limiter.hit(self.item, "api-token", str(token_id))
        if allowed:
            return
        reset = limiter.get_window_stats(self.item, "api-token", str(token_id)).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise RateLimitedError(_("This API token is limited to {amount} requests per minute. Wait {wait} s and try "
                                 "again.").format(amount=self.item.amount, wait=wait), retry_after=wait)


def _limits_url(redis_url: str) -> str:
    # limits names its Redis backends redis:// and rediss:// too; unix sockets need its redis+unix scheme
    return redis_url.replace("unix://", "redis+unix://", 1) if redis_url.startswith("unix://") else redis_url
