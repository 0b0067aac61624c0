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

KEEP_FIELD = "keep_external_images"  # the request's (and so the item's) choice, in request_json


@dataclass(frozen=True)
class ImagePolicy:
    """Image hosts a body may load from (lower-case host names); keep_external lets any http(s) image through."""

    hosts: frozenset[str] = frozenset()
    keep_external: bool = False

    def allows(self, src: str) -> bool:
        """Whether `<img src=src>` may stay: an absolute http(s) URL on an allowed host, or any one when kept."""
        if self.keep_external:
            return True
        host = _host(src)
        # Relative and data: URLs name no host we know (relative ones resolve against whatever page shows them).
        return host in self.hosts and urlsplit(src.strip()).scheme in {"http", "https", ""}  # "" is //host/…


NO_EXTERNAL_IMAGES = ImagePolicy()


def _host(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        return None


def site_hosts(engine: Engine) -> frozenset[str]:
    """The host names of every connected WordPress site (their media libraries live there)."""
    from .wordpress.models import Site

    with session_scope(engine) as session:
        urls = session.exec(select(Site.base_url)).all()
    return frozenset(host for url in urls if (host := _host(url)))


def policy_for(engine: Engine, keep_external: bool = False) -> ImagePolicy:
    """The policy for a body written or edited here: the connected sites' images, others only if kept."""
    return ImagePolicy(site_hosts(engine), bool(keep_external))


def item_policy(engine: Engine, request_json: dict | None) -> ImagePolicy:
    """The policy for a saved item, from the choice stored with its request."""
    return policy_for(engine, bool((request_json or {}).get(KEEP_FIELD)))


def dropped_warning(dropped: list[str]) -> list[str]:
    """The user's warning for images the sanitiser removed (empty list if none)."""
    if not dropped:
        return []
    hosts = sorted({_host(src) or _("a relative or data: address") for src in dropped})
    return [ngettext("Removed {n} external image ({hosts}): images load only from the connected WordPress sites. "
                     "Tick “Keep external images” (keep_external_images in the API) to keep it.",
                     "Removed {n} external images ({hosts}): images load only from the connected WordPress sites. "
                     "Tick “Keep external images” (keep_external_images in the API) to keep them.",
                     len(dropped)).format(n=len(dropped), hosts=", ".join(hosts[:5]) + ("…" if len(hosts) > 5 else ""))]
