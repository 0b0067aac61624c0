"""Token prices from data/prices.toml, turned into a cost per call."""

import tomllib
from functools import lru_cache
from pathlib import Path

from .config import DATA_DIR

PRICES_FILE = DATA_DIR / "prices.toml"


@lru_cache
def load_prices(path: Path = PRICES_FILE) -> dict:
    """The price table: provider → model (or "*") → {input, output} USD per million tokens."""
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def cost_usd(provider: str, model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """What a call cost; models missing from the table cost 0."""
    models = load_prices().get(provider, {})
    prefix = max((m for m in models if m != "*" and model.startswith(m)), key=len, default="*")
    price = models.get(prefix) or {"input": 0.0, "output": 0.0}
    return round((prompt_tokens * price["input"] + completion_tokens * price["output"]) / 1_000_000, 8)
