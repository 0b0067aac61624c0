"""Which browser origins may call the API: the connected WordPress sites plus CONTENTCRAFT_API_CORS_ORIGINS."""

from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from ..config import Settings


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of a URL, lower-cased (None if it has no scheme or host)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def allowed_origins(engine: Engine, settings: Settings) -> frozenset[str]:
    """Origins from settings and every connected site; nothing by default."""
    from ..wordpress.sites import list_sites

    found = {origin_of(url) for url in settings.api_cors_origins}
    found |= {origin_of(site.base_url) for site in list_sites(engine)}
    return frozenset(filter(None, found))
