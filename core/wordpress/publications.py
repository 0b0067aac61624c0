"""Publication records: one row per item and site, claimed before sending so nothing is posted twice."""

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..db import session_scope
from ..errors import ContentCraftError
from ..i18n import N_, _
from ..models import User, utcnow
from .client import TIMEOUT
from .models import Publication, Site

# An attempt still marked "sending" after this long is assumed dead (crashed process) and may be retried.
# The claim is renewed just before the write, and each WordPress call has a total deadline of TIMEOUT,
# so a live attempt's write always ends inside its claim and a retry cannot post twice.
IN_FLIGHT_SECONDS = 120
assert IN_FLIGHT_SECONDS >= 3 * TIMEOUT


def claimed_call_deadline(timeout: float) -> float:
    """The per-call deadline (seconds) for calls made under a claim: never more than a third of its window."""
    return min(timeout, IN_FLIGHT_SECONDS / 3)


def publication_for(engine: Engine, item_id: int, site_name: str) -> Publication | None:
    """The record of item_id on that site, if it was ever sent there."""
    with session_scope(engine) as session:
        return session.exec(select(Publication).join(Site, Site.id == Publication.site_id)
                            .where(Publication.item_id == item_id, Site.name == site_name)).first()


def publications(engine: Engine, item_id: int) -> list[tuple[Publication, str]]:
    """Every site item_id was sent to, with the site's name."""
    with session_scope(engine) as session:
        rows = session.exec(select(Publication, Site.name).join(Site, Site.id == Publication.site_id)
                            .where(Publication.item_id == item_id).order_by(Site.name))
        return [(pub, name) for pub, name in rows]


def claim(engine: Engine, item_id: int, site: Site, user: User, kind: str) -> Publication:
    """The item's publication row on site, marked "sending"; written before any request goes out."""
    now = utcnow()
    with session_scope(engine) as session:
        pub = session.exec(select(Publication).where(Publication.item_id == item_id,
                                                     Publication.site_id == site.id)).first()
        if pub is None:
            pub = Publication(item_id=item_id, site_id=site.id, kind=kind, idempotency_key=uuid.uuid4().hex)
            session.add(pub)
            session.flush()
        # A conditional UPDATE, so two clicks or two processes cannot both send.
        claimed = session.execute(
            update(Publication)
            .where(Publication.id == pub.id,
                   (Publication.state != "sending") | (Publication.updated_at < now - timedelta(seconds=IN_FLIGHT_SECONDS)))
            .values(state="sending", attempts=Publication.attempts + 1, updated_at=now, published_by=user.email)
        ).rowcount
        if not claimed:
            raise ContentCraftError(_("Item #{item_id} is being published to {name} right now; wait a moment and "
                                      "refresh.").format(item_id=item_id, name=site.name))
        session.refresh(pub)
        return pub


def renew_claim(engine: Engine, pub_id: int) -> None:
    """Restart the claim's in-flight window just before the write that creates or updates remote content."""
    with session_scope(engine) as session:
        session.execute(update(Publication).where(Publication.id == pub_id, Publication.state == "sending")
                        .values(updated_at=utcnow()))


def record_failure(engine: Engine, pub_id: int, reason: str) -> None:
    """Keep the reason an attempt failed; the item's status does not change."""
    with session_scope(engine) as session:
        session.execute(update(Publication).where(Publication.id == pub_id)
                        .values(state="failed", last_error=reason, updated_at=utcnow()))


def record_success(engine: Engine, pub_id: int, remote_id: int, url: str, remote_status: str,
                   remote_date: datetime | None = None) -> None:
    """Store the remote id, link, status and date of a successful attempt."""
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(update(Publication).where(Publication.id == pub_id)
                        .values(state="published", remote_id=remote_id, url=url, remote_status=remote_status,
                                remote_date=remote_date, last_error=None, updated_at=now, published_at=now))


def remote_date(post: dict) -> datetime | None:
    """A REST post's date_gmt (WordPress writes it without a zone) as an aware UTC datetime."""
    try:
        return datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=timezone.utc)
    except (KeyError, TypeError, ValueError):
        return None


REMOTE_STATUS = {"publish": N_("published"), "future": N_("scheduled"), "draft": N_("draft"),
                 "pending": N_("pending review"), "private": N_("private")}


def describe(pub: Publication, site_name: str) -> str:
    """What the item is on the site, said plainly: "draft on Blog", "scheduled for 1 Dec 2026 09:00 UTC on Blog"."""
    if pub.state == "failed" and not pub.remote_id:
        return _("not on {site}: the last attempt failed").format(site=site_name)
    status = _(REMOTE_STATUS[pub.remote_status]) if pub.remote_status in REMOTE_STATUS else pub.remote_status or _("sent")
    if pub.remote_status == "future" and pub.remote_date:
        when = pub.remote_date.astimezone(timezone.utc).strftime("%-d %b %Y %H:%M UTC")
        return _("scheduled for {when} on {site}").format(when=when, site=site_name)
    return _("{status} on {site}").format(status=status, site=site_name)


def remember_remote_id(engine: Engine, pub_id: int, remote_id: int) -> None:
    """Store the id of a post found or created, before anything else can fail."""
    with session_scope(engine) as session:
        session.execute(update(Publication).where(Publication.id == pub_id).values(remote_id=remote_id))
