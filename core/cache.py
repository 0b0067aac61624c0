"""Result cache: a DB table by default, Redis when CONTENTCRAFT_REDIS_URL is set (DB if Redis is down)."""

import hashlib
import json
import logging
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from .db import session_scope
from .models import CacheEntry, utcnow

log = logging.getLogger("contentcraft.cache")


def cache_key(kind: str, request: dict, provider: str, model: str, brand_version: int = 0) -> str:
    """SHA-256 of the normalised request, provider, model and brand profile version."""
    normalised = json.dumps({"kind": kind, "request": request, "provider": provider, "model": model,
                             "brand_version": brand_version}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(normalised.casefold().encode("utf-8")).hexdigest()


class DBCache:
    """Cache rows in the cache_entry table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, key: str) -> str | None:
        # Core, not the ORM: this lookup sits on every generation's hot path.
        query = select(CacheEntry.value).where(CacheEntry.key == key, CacheEntry.expires_at > utcnow())
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def set(self, key: str, value: str, ttl: int) -> None:
        if ttl <= 0:
            return
        now = utcnow()
        with session_scope(self.engine) as session:
            session.merge(CacheEntry(key=key, value=value, expires_at=now + timedelta(seconds=ttl)))
            session.exec(delete(CacheEntry).where(CacheEntry.expires_at <= now))


class RedisCache:
    """Cache values in Redis with native expiry."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> str | None:
        value = self.client.get(f"contentcraft:cache:{key}")
        return value.decode("utf-8") if value is not None else None

    def set(self, key: str, value: str, ttl: int) -> None:
        if ttl > 0:
            self.client.set(f"contentcraft:cache:{key}", value, ex=ttl)


class FallbackCache:
    """Uses Redis while it answers and the DB table when it does not, warning once per outage."""

    def __init__(self, primary: RedisCache, fallback: DBCache):
        self.primary, self.fallback = primary, fallback
        self.degraded = False

    def _call(self, method: str, *args):
        import redis

        try:
            result = getattr(self.primary, method)(*args)
        except redis.RedisError as exc:
            if not self.degraded:
                log.warning("Redis cache unavailable, using the database cache instead",
                            extra={"event": "cache_degraded", "error_type": type(exc).__name__})
            self.degraded = True
            return getattr(self.fallback, method)(*args)
        self.degraded = False
        return result

    def get(self, key: str) -> str | None:
        return self._call("get", key)

    def set(self, key: str, value: str, ttl: int) -> None:
        self._call("set", key, value, ttl)


def make_cache(engine: Engine, redis_url: str | None):
    """The configured cache backend."""
    if redis_url:
        return FallbackCache(RedisCache(redis_url), DBCache(engine))
    return DBCache(engine)
