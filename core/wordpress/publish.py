"""Publishing approved posts to WordPress exactly once, and recording what happened."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from ..auth import require
from ..errors import ContentCraftError, PublishFailedError, ValidationFailedError
from ..models import User, utcnow
from ..schemas import ContentData, InternalLink
from ..images import NO_EXTERNAL_IMAGES, ImagePolicy, dropped_warning, item_policy
from ..seo import clean_body, html_text, json_ld_text, plain_text
from ..workflow import add_version, get_item, transition
from .client import TIMEOUT, WordPressClient
from .links import insert_links
from . import seo_fields
from .models import Publication
from .publications import (claim, claimed_call_deadline, publication_for, record_failure, record_success,
                           remember_remote_id, remote_date, renew_claim)
from .schedule import date_gmt, in_site_time, site_zone
from .sites import KEY_META, LD_META, client_for, get_site
from ..i18n import _

log = logging.getLogger("contentcraft.wordpress")
STATUSES = ("draft", "publish", "future")
PUBLISHABLE = {"approved", "published"}


@dataclass
class PublishOptions:
    """How to publish: WordPress status (and date when scheduled), terms by name or id, author id."""

    status: str = "draft"
    date: datetime | None = None
    categories: list[str | int] = field(default_factory=list)
    tags: list[str | int] = field(default_factory=list)
    author: int | None = None


@dataclass
class PublishResult:
    """Where an item went: the remote post, whether it was created or updated, and any warnings."""

    item_id: int
    site: str
    remote_id: int
    url: str
    remote_status: str
    created: bool
    warnings: list[str] = field(default_factory=list)


def check_publishable(user: User, item) -> None:
    """Raise unless user may publish and item is approved (or already published)."""
    require(user, "publish")
    if item.status not in PUBLISHABLE:
        raise ValidationFailedError(_("Item #{id} is {status}: only approved items can be published. Submit it for "
                                      "review and have an editor approve it.")
                                    .format(id=item.id, status=item.status.replace('_', ' ')))


def _check_options(options: PublishOptions) -> PublishOptions:
    if options.status not in STATUSES:
        raise ValidationFailedError(_("Status must be one of {statuses}, not {status!r}.")
                                    .format(statuses=', '.join(STATUSES), status=options.status))
    if options.status == "future" and options.date is None:
        raise ValidationFailedError(_("Pick the date and time to publish a scheduled post."))
    if options.status == "future" and options.date.tzinfo is not None:
        _check_future(options.date)
    return options


def _check_future(when: datetime) -> None:
    if when <= utcnow() + timedelta(minutes=1):
        raise ValidationFailedError(_("A scheduled post needs a date in the future; use 'publish' for now."))


def schedule(wp: WordPressClient, options: PublishOptions) -> None:
    """A scheduled post's time without an offset is the site's local time (as in WordPress' editor)."""
    if options.status == "future":
        zone, name = site_zone(wp.index())
        options.date = in_site_time(options.date, zone, name)
        _check_future(options.date)


def publish(engine: Engine, user: User, item_id: int, site_name: str, options: PublishOptions | None = None, *,
            timeout: float = TIMEOUT, transport=None) -> PublishResult:
    """Send an approved blog post to a site (creating or updating its one post) and mark it published."""
    item = get_item(engine, item_id)
    check_publishable(user, item)
    if item.type != "content":
        raise ValidationFailedError(_("Item #{item_id} is a product: update its WooCommerce product instead.")
                                    .format(item_id=item_id))
    options = _check_options(options or PublishOptions())
    data = ContentData.model_validate(item.data_json)
    site = get_site(engine, site_name)
    pub = claim(engine, item_id, site, user, "post")
    try:
        with client_for(site, timeout=claimed_call_deadline(timeout), transport=transport) as wp:
            post, created, warnings = _push(engine, wp, pub, item, data, options)
    except ContentCraftError as exc:
        record_failure(engine, pub.id, str(exc))
        raise
    except Exception as exc:
        log.exception("publish failed", extra={"event": "publish_failed", "item_id": item_id, "site": site.name})
        record_failure(engine, pub.id, _("Unexpected error ({error_type}); see the server log.").format(
            error_type=type(exc).__name__))
        raise ContentCraftError(_("Publishing item #{item_id} to {name} failed unexpectedly ({error_type}); nothing "
                                  "was marked published. Try again.")
                                .format(item_id=item_id, name=site.name, error_type=type(exc).__name__)) from exc
    record_success(engine, pub.id, post["id"], post["link"], post["status"], remote_date(post))
    warnings += keep_site_slug(engine, user, item_id, data, post, site.name)
    verb = "Published" if created else "Updated"
    transition(engine, user, item_id, "published",
               f"{verb} on {site.name}: {post['link']} (WordPress post {post['id']}, status {post['status']})")
    log.info("published", extra={"event": "published", "item_id": item_id, "site": site.name,
                                 "remote_id": post["id"], "new_post": created})
    return PublishResult(item_id=item_id, site=site.name, remote_id=post["id"], url=post["link"],
                         remote_status=post["status"], created=created, warnings=warnings)


def check_rights(wp: WordPressClient, options: PublishOptions) -> None:
    """Refuse early, with advice, when the site's user may not write (or publish) posts."""
    me = wp.me()
    caps = me.get("capabilities") or {}
    name = me.get("username") or me.get("name") or "the user"
    if not caps.get("edit_posts"):
        raise PublishFailedError(_("The WordPress user {name} may not write posts on the site (roles: {me}). Give "
                                   "that user the Editor or Administrator role, or use another user's Application "
                                   "Password.").format(name=name, me=', '.join(me.get('roles') or []) or 'none'), status=403,
                                 code="cannot_edit_posts")
    if options.status != "draft" and not caps.get("publish_posts"):
        raise PublishFailedError(_("The WordPress user {name} may only save drafts on the site: publish as draft, "
                                   "or give the user the Editor or Administrator role.").format(name=name), status=403,
                                 code="cannot_publish_posts")


def _push(engine, wp: WordPressClient, pub: Publication, item, data: ContentData, options: PublishOptions):
    check_rights(wp, options)
    schedule(wp, options)
    payload, warnings = build_payload(wp, item, data, options, pub.idempotency_key,
                                      item_policy(engine, item.request_json))
    post, created = _send(engine, wp, pub, payload, warnings)
    keywords = list((item.request_json or {}).get("keywords") or [])
    wanted = seo_fields.wanted(seo_meta(data, keywords), wp.meta_keys(), set(wp.index().get("namespaces", [])))
    if wanted:
        warnings += seo_fields.dropped_warning(seo_fields.not_kept(wanted, wp.get_post(post["id"])))
    return post, created, warnings


def _send(engine, wp: WordPressClient, pub: Publication, payload: dict, warnings: list[str]) -> tuple[dict, bool]:
    """Update the item's post, or the one an earlier attempt made, or create it: (post, created)."""
    renew_claim(engine, pub.id)
    if pub.remote_id:
        try:
            return wp.update_post(pub.remote_id, payload), False
        except PublishFailedError as exc:
            if exc.code != "rest_post_invalid_id":
                raise
            warnings.append(_("Post {remote_id} no longer exists on the site; a new post was made.")
                            .format(remote_id=pub.remote_id))
    # On the very first attempt no earlier one can have used this key, so there is nothing to look for.
    earlier = find_earlier_post(wp, pub.idempotency_key, payload) if pub.attempts > 1 else None
    if earlier is not None:
        remember_remote_id(engine, pub.id, earlier["id"])
        return wp.update_post(earlier["id"], payload), False
    warnings.extend(slug_taken(wp, payload["slug"]))
    post = wp.create_post(payload)
    remember_remote_id(engine, pub.id, post["id"])
    return post, True


def slug_taken(wp: WordPressClient, slug: str, own_id: int | None = None) -> list[str]:
    """A warning if another post on the site already uses slug (WordPress then adds -2 to ours)."""
    others = [post for post in wp.find_posts(slug=slug) if post.get("id") != own_id]
    if not others:
        return []
    other = others[0]
    title = (other.get("title") or {}).get("raw") or (other.get("title") or {}).get("rendered") or ""
    return [_("The slug {slug!r} is already used on the site by post {post_id} ({title!r}, {status}): WordPress "
              "gives this post another one when it is published.").format(slug=slug, post_id=other["id"], title=title,
                                                                          status=other.get("status"))]


def slug_warnings(engine: Engine, user: User, item_id: int, site_name: str, *, timeout: float = TIMEOUT,
                  transport=None) -> list[str]:
    """Before publishing: a warning if another post on the site already uses the item's slug."""
    item = get_item(engine, item_id)
    check_publishable(user, item)
    pub = publication_for(engine, item_id, site_name)
    with client_for(get_site(engine, site_name), timeout=timeout, transport=transport) as wp:
        return slug_taken(wp, item.data_json["meta"]["slug"], pub.remote_id if pub else None)


def keep_site_slug(engine, user: User, item_id: int, data: ContentData, post: dict, site: str) -> list[str]:
    """Store the slug WordPress gave the post when it differs from ours, and say so."""
    stored = str(post.get("slug") or "")
    if not stored or stored == data.meta.slug:
        return []
    updated = data.model_dump(mode="json")
    updated["meta"]["slug"] = stored
    add_version(engine, item_id, updated, user.email, note=f"slug as {site} stored it")
    return [_("{site} stored the slug as {stored!r} ({slug!r} was taken); the item now uses it too.").format(
        site=site, stored=stored, slug=data.meta.slug)]


def find_earlier_post(wp: WordPressClient, key: str, payload: dict) -> dict | None:
    """A post an earlier, unconfirmed attempt created: by idempotency key, else by slug and title."""
    if KEY_META in wp.meta_keys():
        for post in wp.find_posts(contentcraft_key=key):
            if (post.get("meta") or {}).get(KEY_META) == key:
                return post
    # Also reached with the connector: a crash between insert and meta save leaves a post without the key.
    for post in wp.find_posts(slug=payload["slug"]):
        their_key = (post.get("meta") or {}).get(KEY_META)
        if their_key == key or (not their_key and post.get("title", {}).get("raw") == payload["title"]):
            return post
    return None


def seo_meta(data: ContentData, keywords: list[str]) -> dict[str, str]:
    """Yoast and Rank Math fields for the post; only those the site exposes are sent."""
    keywords = [k for k in (plain_text(str(k)) for k in keywords) if k]
    title, description = plain_text(data.meta.seo_title), plain_text(data.meta.meta_desc)
    return {"_yoast_wpseo_title": title, "_yoast_wpseo_metadesc": description,
            "_yoast_wpseo_focuskw": keywords[0] if keywords else "",
            "rank_math_title": title, "rank_math_description": description,
            "rank_math_focus_keyword": ",".join(keywords)}


def build_payload(wp: WordPressClient, item, data: ContentData, options: PublishOptions, key: str,
                  images: ImagePolicy = NO_EXTERNAL_IMAGES):
    """The /wp/v2/posts body for the item, and warnings about what the site cannot keep (or images removed)."""
    writable = wp.meta_keys()
    keywords = list((item.request_json or {}).get("keywords") or [])
    meta = {k: v for k, v in seo_meta(data, keywords).items() if k in writable and v}
    body, dropped = clean_body(insert_links(data.body_html, data.internal_links), images)
    warnings: list[str] = dropped_warning(dropped)
    ld = json_ld_text(data.schema_ld_json)
    if KEY_META in writable:
        meta[KEY_META] = key
    if LD_META in writable:
        meta[LD_META] = ld
    elif wp.me().get("capabilities", {}).get("unfiltered_html"):
        # Only users with unfiltered_html keep a <script> in content (kses strips it for the rest).
        body += '\n<script type="application/ld+json">' + ld + "</script>"
    else:
        warnings.append(_("JSON-LD was not sent: install the ContentCraft connector on the site to keep it."))
    if not any(k in writable for k in seo_meta(data, keywords)):
        warnings.append(_("The site exposes no Yoast or Rank Math fields: the SEO title and description were not "
                          "set."))
    # WordPress keeps title and excerpt as HTML (raw for unfiltered_html users): send escaped plain text.
    payload = {"title": html_text(data.title), "content": body, "excerpt": html_text(data.excerpt), "slug": data.meta.slug,
               "status": options.status, "categories": resolve_terms(wp, "categories", options.categories),
               "tags": resolve_terms(wp, "tags", options.tags), "meta": meta}
    if options.author:
        payload["author"] = int(options.author)
    if options.status == "future":
        payload["date_gmt"] = date_gmt(options.date)
    return payload, warnings


def resolve_terms(wp: WordPressClient, taxonomy: str, wanted: list[str | int]) -> list[int]:
    """Term ids for names or ids; names the site does not have yet are created."""
    ids, names = [], []
    for value in wanted:
        if isinstance(value, int) or str(value).strip().isdigit():
            ids.append(int(value))
        elif str(value).strip():
            names.append(str(value).strip())
    if names:
        existing = {term["name"].casefold(): term["id"] for term in wp.terms(taxonomy)}
        for name in names:
            ids.append(existing.get(name.casefold()) or wp.create_term(taxonomy, name))
    return list(dict.fromkeys(ids))


def save_internal_links(engine: Engine, user: User, item_id: int, links: list[InternalLink]) -> None:
    """Store the links the editor picked on the item (a new version); they are inserted when publishing."""
    item = get_item(engine, item_id)
    check_publishable(user, item)
    data = dict(item.data_json)
    data["internal_links"] = [link.model_dump() for link in links]
    add_version(engine, item_id, data, user.email, note=f"{len(links)} internal link(s) chosen")


@dataclass
class Outcome:
    """One item's result in a bulk publish."""

    item_id: int
    ok: bool
    url: str = ""
    error: str = ""


def publish_many(engine: Engine, user: User, item_ids: list[int], site_name: str,
                 options: PublishOptions | None = None, **kwargs) -> list[Outcome]:
    """Publish each item in turn; one item's failure does not stop the others."""
    outcomes = []
    for item_id in item_ids:
        try:
            result = publish(engine, user, item_id, site_name, options, **kwargs)
            outcomes.append(Outcome(item_id, True, url=result.url))
        except ContentCraftError as exc:
            outcomes.append(Outcome(item_id, False, error=str(exc)))
    return outcomes
