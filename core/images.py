"""Which images a body may load: those of the connected WordPress sites, others only when the user keeps them.

An `<img src>` on another host is a tracking and exfiltration channel (the reader's browser and the
editor's preview fetch it), so the body sanitiser drops it and the user is told which hosts were dropped.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import select

from .db import session_scope
from .i18n import _, ngettext
from .reuse import recent

KEEP_FIELD = "keep_external_images"  # the request's (and so the item's) choice, in request_json


DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ImagePolicy:
    """Origins a body may load images from ("scheme://host:port", lower-case, port explicit); keep_external lets
    any http(s) image through."""

    origins: frozenset[str] = frozenset()
    keep_external: bool = False

    def allows(self, src: str) -> bool:
        """Whether `<img src=src>` may stay: an absolute http(s) URL on an allowed origin, or any one when kept.

        A protocol-relative //host[:port]/… takes the page's scheme: either one allowed will do (it is the
        site's own server either way). Relative and data: URLs name no origin we know."""
        if self.keep_external:
            return True
        if src.strip().startswith("//"):
            return any(_origin(scheme + ":" + src.strip()) in self.origins for scheme in DEFAULT_PORTS)
        return _origin(src) in self.origins


NO_EXTERNAL_IMAGES = ImagePolicy()


def _host(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        return None


def _origin(url: str) -> str | None:
    """"scheme://host:port" of an http(s) URL with its default port made explicit; None for any other URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # an unclosed [IPv6 bracket, a port out of range
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme.lower()}://{host}:{port}"


def site_origins(engine: Engine) -> frozenset[str]:
    """The origins of every connected WordPress site (their media libraries live there).

    An http site on the default port also serves its images over https (the upgrade is harmless)."""
    return recent(("site_origins", str(engine.url)), lambda: _site_origins(engine))


def _site_origins(engine: Engine) -> frozenset[str]:
    from .wordpress.models import Site

    with session_scope(engine) as session:
        urls = session.exec(select(Site.base_url)).all()
    origins = {origin for url in urls if (origin := _origin(url))}
    upgraded = {origin.replace("http://", "https://", 1).removesuffix(":80") + ":443" for origin in origins
                if origin.startswith("http://") and origin.endswith(":80")}
    return frozenset(origins | upgraded)


def policy_for(engine: Engine, keep_external: bool = False) -> ImagePolicy:
    """The policy for a body written or edited here: the connected sites' images, others only if kept."""
    return ImagePolicy(site_origins(engine), bool(keep_external))


def item_policy(engine: Engine, request_json: dict | None) -> ImagePolicy:
    """The policy for a saved item, from the choice stored with its request."""
    return policy_for(engine, bool((request_json or {}).get(KEEP_FIELD)))


def dropped_warning(dropped: list[str]) -> list[str]:
    """The user's warning for images the sanitiser removed (empty list if none)."""
    if not dropped:
        return []
    hosts = sorted({_host(src) or _("a relative or data: address") for src in dropped})
    return [ngettext("Removed {n} external image ({hosts}): images load only from the connected WordPress sites. "
                     "Tick “Keep external images” (keep_external_images in the API, --keep-external-images on the "
                     "command line) to keep it.",
                     "Removed {n} external images ({hosts}): images load only from the connected WordPress sites. "
                     "Tick “Keep external images” (keep_external_images in the API, --keep-external-images on the "
                     "command line) to keep them.",
                     len(dropped)).format(n=len(dropped), hosts=", ".join(hosts[:5]) + ("…" if len(hosts) > 5 else ""))]
