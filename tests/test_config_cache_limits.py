"""Settings sources, the cache backends (DB, real Redis, Redis down) and the rate limiters."""

import os
import shutil
import subprocess
import time

import pytest

from core import config
from core.cache import DBCache, FallbackCache, RedisCache, cache_key, make_cache
from core.errors import RateLimitedError
from core.ratelimit import RedisWindowLimiter, SlidingWindowLimiter
from tests.net import free_port, stop, wait_until


def test_settings_from_env_and_secrets_file(tmp_path, monkeypatch):
    (tmp_path / "secrets.toml").write_text(
        'CONTENTCRAFT_PROVIDER = "openai"\nCONTENTCRAFT_RATE_LIMIT = 5\nOPENAI_API_KEY = "sk-from-secrets"\n'
        'CONTENTCRAFT_CACHE_TTL = 30\n')
    monkeypatch.setenv("CONTENTCRAFT_CACHE_TTL", "99")
    monkeypatch.setenv("CONTENTCRAFT_FALLBACK", "anthropic, local")
    settings = config.Settings()
    assert settings.provider == "openai" and settings.rate_limit == 5
    assert settings.openai_api_key.get_secret_value() == "sk-from-secrets"
    assert "sk-from-secrets" not in repr(settings) and "sk-from-secrets" not in settings.model_dump_json()
    assert settings.cache_ttl == 99, "the environment wins over secrets.toml"
    assert settings.fallback == ["anthropic", "local"]


def test_settings_defaults():
    settings = config.Settings()
    assert (settings.provider, settings.rate_limit, settings.cache_ttl, settings.fallback) == ("local", 60, 600, [])
    assert settings.redis_url is None and settings.local_model_path is None


def test_bad_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_RATE_LIMIT", "lots")
    with pytest.raises(Exception, match="rate_limit"):
        config.Settings()


def test_cache_key_normalises_and_separates():
    base = cache_key("content", {"topic": "Shoes"}, "openai", "gpt-4o-mini")
    assert base == cache_key("content", {"topic": "SHOES"}, "openai", "gpt-4o-mini")
    assert base != cache_key("content", {"topic": "Shoes"}, "openai", "gpt-4o")
    assert base != cache_key("content", {"topic": "Shoes"}, "anthropic", "gpt-4o-mini")
    assert base != cache_key("content", {"topic": "Shoes"}, "openai", "gpt-4o-mini", brand_version=2)


def test_db_cache_expires(engine, monkeypatch):
    cache = DBCache(engine)
    cache.set("k", "v", ttl=60)
    assert cache.get("k") == "v"
    cache.set("gone", "v", ttl=0)
    assert cache.get("gone") is None
    from core import cache as cache_module
    from datetime import timedelta

    later = cache_module.utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(cache_module, "utcnow", lambda: later)
    assert cache.get("k") is None


def test_redis_down_falls_back_to_db_with_one_warning(engine, caplog):
    cache = make_cache(engine, "redis://127.0.0.1:9/0")
    assert isinstance(cache, FallbackCache)
    with caplog.at_level("WARNING", logger="contentcraft.cache"):
        cache.set("k", "v", 60)
        assert cache.get("k") == "v"
    assert DBCache(engine).get("k") == "v"
    warnings = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(warnings) == 1


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if not binary:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run must install it")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    import redis

    wait_until(redis.Redis(port=port).ping, process, "redis-server", timeout=10)
    yield f"redis://127.0.0.1:{port}/0"
    stop(process)


def test_real_redis_cache_with_ttl(redis_url, engine):
    cache = make_cache(engine, redis_url)
    cache.set("k", "héllo", 1)
    assert cache.get("k") == "héllo" and not cache.degraded
    assert DBCache(engine).get("k") is None, "values go to Redis, not the DB"
    time.sleep(1.2)
    assert RedisCache(redis_url).get("k") is None


def test_pipeline_cache_hit_through_real_redis(redis_url, settings, engine, fake):
    from core.pipeline import Generator
    from core.schemas import ContentRequest
    from tests.samples import blog_draft

    generator = Generator(settings.model_copy(update={"redis_url": redis_url}), engine)
    fake.enqueue([blog_draft()])
    request = ContentRequest(topic="Redis cached topic")
    assert not generator.generate(request, "u").cache_hit
    assert generator.generate(request, "u").cache_hit and len(fake.history) == 1


def test_sliding_window_limiter_waits_then_allows():
    now = [1000.0]
    limiter = SlidingWindowLimiter(2, clock=lambda: now[0])
    limiter.hit("a")
    now[0] += 30
    limiter.hit("a")
    with pytest.raises(RateLimitedError) as caught:
        limiter.hit("a")
    assert caught.value.retry_after == 30
    limiter.hit("b")
    now[0] += 30.5
    limiter.hit("a")


def test_redis_limiter_shared_between_instances(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    first, second = RedisWindowLimiter(client, 3), RedisWindowLimiter(client, 3)
    first.hit("ana")
    second.hit("ana")
    first.hit("ana")
    with pytest.raises(RateLimitedError, match="Wait"):
        second.hit("ana")
    second.hit("bob")


def test_limiter_falls_back_to_process_window_when_redis_is_down():
    from core.ratelimit import make_limiter

    limiter = make_limiter(1, "redis://127.0.0.1:9/0")
    limiter.hit("ana")
    with pytest.raises(RateLimitedError):
        limiter.hit("ana")
