"""Realistic synthetic generation logs for demos and benchmarks, generated with numpy and bulk-inserted."""

from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy.engine import Engine

from ..pricing import cost_usd
from .filters import LOG
from .rollups import paused

USERS = {"ana@example.com": 30, "ben@example.com": 18, "chloe@example.com": 14, "dev@example.com": 10,
         "eva@example.com": 9, "farid@example.com": 8, "gus@example.com": 6, "hana@example.com": 5}
TYPES = {"content": 42, "product": 30, "bulk": 16, "seo": 7, "brand": 5}
# (provider, model): (share, tokens per second, base latency ms, failure rate)
MODELS = {("local", "smollm2-135m-instruct"): (22, 40, 300, 0.06), ("ollama", "llama3.2"): (10, 60, 500, 0.05),
          ("openai", "gpt-4o-mini"): (30, 90, 450, 0.02), ("openai", "gpt-4o"): (8, 70, 600, 0.02),
          ("anthropic", "claude-haiku-4-5"): (18, 110, 500, 0.025),
          ("anthropic", "claude-sonnet-4-5"): (12, 60, 700, 0.03)}
LANGUAGES = {"en": 55, "de": 10, "es": 8, "fr": 8, "fa": 5, "ar": 4, "it": 4, "ja": 3, "zh": 2, "ko": 1}
TONES = {"professional": 30, "friendly": 22, "persuasive": 16, "informative": 14, "casual": 9, "authoritative": 6,
         "witty": 3}
# Completion tokens by type: (mean, spread); prompts are shorter for products.
COMPLETION = {"content": (1400, 400), "product": (450, 120), "bulk": (500, 150), "seo": (250, 60), "brand": (800, 200)}
TARGETS = ["How to choose running shoes for flat feet", "Trail running for beginners", "Merino wool socks",
           "Ceramic pour-over coffee dripper", "Standing desk buying guide", "Noise-cancelling headphones",
           "Spring skincare routine", "Bamboo cutting board", "Remote team onboarding checklist",
           "Email subject lines that get opened", "Waterproof hiking jacket", "Cold brew at home"]
ERRORS = ["{p} did not answer in time; try again or raise CONTENTCRAFT_TIMEOUT.",
          "{p} is rate limiting requests. Wait 20 s and try again.",
          "The model's JSON does not match the schema (meta_desc: String should have at least 140 characters).",
          "{p} had a server error (503); try again shortly.",
          "The model did not answer with a JSON object."]
ERROR_WEIGHTS = [30, 20, 30, 12, 8]
WEEKDAY_WEIGHT = np.array([1.0, 1.05, 1.05, 1.0, 0.85, 0.3, 0.2])  # Monday first
HOUR_WEIGHT = np.array([1, 1, 1, 1, 2, 3, 5, 8, 12, 14, 14, 13, 11, 13, 14, 13, 11, 8, 6, 4, 3, 2, 2, 1], float)
BATCH = 20_000


def generate_demo_rows(engine: Engine, rows: int, days: int = 365, seed: int = 7,
                       now: datetime | None = None) -> int:
    """Insert rows synthetic log entries spread over the last days days, in time order; returns the count.

    The summary-table triggers are paused for the bulk insert and the summaries rebuilt from the first new
    row on, in the same transaction (four times faster than a trigger per row at a million rows).
    """
    rng = np.random.default_rng(seed)
    end = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    seconds = timestamps(rng, rows, days, end)
    since = datetime.fromtimestamp(seconds[0], timezone.utc) if rows else end
    with engine.begin() as conn, paused(conn, since):
        for offset in range(0, rows, BATCH):
            conn.execute(LOG.insert(), _batch(rng, seconds[offset:offset + BATCH]))
    return rows


def timestamps(rng: np.random.Generator, count: int, days: int, end: datetime) -> np.ndarray:
    """Sorted UTC epoch seconds with a growth trend, quiet weekends and a working-day curve."""
    first_day = (end - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    day_offsets = np.arange(days)
    weekdays = (first_day.weekday() + day_offsets) % 7
    weights = WEEKDAY_WEIGHT[weekdays] * np.linspace(0.6, 1.0, days)
    day = rng.choice(days, size=count, p=weights / weights.sum())
    hour = rng.choice(24, size=count, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    seconds = first_day.timestamp() + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=count)
    return np.sort(np.minimum(seconds, end.timestamp() - 1))


def _pick(rng: np.random.Generator, weighted: dict, count: int) -> np.ndarray:
    keys = list(weighted)
    weights = np.array([w if not isinstance(w, tuple) else w[0] for w in weighted.values()], float)
    return rng.choice(len(keys), size=count, p=weights / weights.sum())


def _batch(rng: np.random.Generator, seconds: np.ndarray) -> list[dict]:
    """Rows for the given epoch seconds, as dicts ready for an executemany insert."""
    count, models = len(seconds), list(MODELS)
    user_i, type_i, model_i = _pick(rng, USERS, count), _pick(rng, TYPES, count), _pick(rng, MODELS, count)
    speed, base, fail_rate = (np.array([MODELS[m][k] for m in models], float)[model_i] for k in (1, 2, 3))
    mean, spread = (np.array([COMPLETION[t][k] for t in TYPES], float)[type_i] for k in (0, 1))
    is_product = np.array([t == "product" for t in TYPES])[type_i]
    prompt = np.clip(rng.normal(np.where(is_product, 450, 750), 120), 80, None).astype(int)
    completion = np.clip(rng.normal(mean, spread), 40, None).astype(int)
    cache_hit = rng.random(count) < 0.11
    failed = ~cache_hit & (rng.random(count) < fail_rate)
    latency = (base + completion / speed * 1000) * rng.lognormal(0, 0.25, count)
    latency = np.where(cache_hit, rng.integers(3, 40, count), latency).astype(int)
    completion = np.where(cache_hit | failed, 0, completion)
    prompt = np.where(cache_hit, 0, prompt)
    price_in, price_out = (np.array([cost_usd(p, m, *tokens) for p, m in models])[model_i]
                           for tokens in ((1_000_000, 0), (0, 1_000_000)))
    cost = np.round((prompt * price_in + completion * price_out) / 1_000_000, 8)
    error_i = rng.choice(len(ERRORS), size=count, p=np.array(ERROR_WEIGHTS) / sum(ERROR_WEIGHTS))
    errors = [[e.format(p=provider) for e in ERRORS] for provider, _ in models]
    columns = zip(user_i.tolist(), type_i.tolist(), rng.integers(0, len(TARGETS), count).tolist(),
                  prompt.tolist(), completion.tolist(), latency.tolist(), failed.tolist(), error_i.tolist(),
                  seconds.tolist(), model_i.tolist(), _pick(rng, LANGUAGES, count).tolist(),
                  _pick(rng, TONES, count).tolist(), cost.tolist(), cache_hit.tolist())
    users, types, langs, tones = (list(d) for d in (USERS, TYPES, LANGUAGES, TONES))
    return [{"user": users[u], "type": types[t], "target": TARGETS[g], "tokens": p + c, "latency_ms": ms,
             "status": "failed" if f else "succeeded", "error": errors[m][e] if f else None,
             "created_at": datetime.fromtimestamp(when, timezone.utc), "provider": models[m][0],
             "model": models[m][1], "language": langs[lang], "tone": tones[tone], "prompt_tokens": p,
             "completion_tokens": c, "cost_usd": usd, "cache_hit": hit}
            for u, t, g, p, c, ms, f, e, when, m, lang, tone, usd, hit in columns]
