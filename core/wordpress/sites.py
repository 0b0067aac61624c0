"""Connected WordPress sites: add, list, remove, and test the connection (admins only)."""

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..auth import require
from ..cache import make_cache
from ..config import get_settings
from ..db import session_scope
from ..errors import NotFoundError, ValidationFailedError
from ..models import User, utcnow
from .client import TIMEOUT, WordPressClient
from .hosts import check_base_url
from .models import Publication, Site
from .schedule import site_zone
from .secrets import decrypt, encrypt
from .seo_fields import SEO_FIELDS, SEO_NAMESPACES, describe, unwritable
from ..i18n import _

KEY_META = "contentcraft_idempotency_key"
LD_META = "contentcraft_schema_ld_json"
CHOICES_TTL = 300
CAPABILITIES = ("edit_posts", "publish_posts", "edit_others_posts", "edit_published_posts", "manage_categories",
                "upload_files", "unfiltered_html", "list_users")


@dataclass
class ConnectionReport:
    """What "Test connection" found: who we are there, what we may do, which fields we can write."""

    site: str
    user: str
    roles: list[str]
    capabilities: list[str]
    wordpress_version: str | None
    rest_style: str
    seo_plugins: list[str]
    seo_fields: list[str]
    connector: bool
    woocommerce: bool
    warnings: list[str] = field(default_factory=list)
    seo_fields_unwritable: list[str] = field(default_factory=list)
    time_zone: str = ""

    @property
    def can_publish(self) -> bool:
        return "publish_posts" in self.capabilities


def _actor_check(user: User | None) -> str:
    # user None is the operator at the command line, who already has the database itself.
    if user is not None:
        require(user, "manage_sites")
        return user.email
    return "cli"


def add_site(engine: Engine, user: User | None, *, name: str, url: str, username: str, app_password: str,
             woo_key: str | None = None, woo_secret: str | None = None,
             allow_private: bool = False) -> tuple[Site, list[str]]:
    """Store a site with its secrets encrypted; returns it and any warnings about the URL.

    Link-local/metadata hosts are refused; a private address needs allow_private (the user's confirmation)."""
    actor = _actor_check(user)
    name, username, app_password = name.strip(), username.strip(), app_password.strip()
    if not name or len(name) > 80:
        raise ValidationFailedError(_("Give the site a name of 1–80 characters, e.g. 'Main blog'."))
    if not username or not app_password:
        raise ValidationFailedError(_("Enter the WordPress user name and an Application Password for it."))
    if bool(woo_key) != bool(woo_secret):
        raise ValidationFailedError(_("WooCommerce needs both the consumer key and the consumer secret."))
    base_url, warnings = check_base_url(url, allow_private=allow_private)
    with session_scope(engine) as session:
        if session.exec(select(Site).where(Site.name == name)).first():
            raise ValidationFailedError(_("There is already a site named {name!r}; remove it first or pick another "
                                          "name.").format(name=name))
        site = Site(name=name, base_url=base_url, username=username, password_encrypted=encrypt(app_password),
                    private_ok=allow_private,
                    woo_key_encrypted=encrypt(woo_key) if woo_key else None,
                    woo_secret_encrypted=encrypt(woo_secret) if woo_secret else None, created_by=actor)
        session.add(site)
        session.flush()
        session.refresh(site)
        return site, warnings


def update_credentials(engine: Engine, user: User | None, name: str, *, username: str | None = None,
                       app_password: str | None = None, woo_key: str | None = None,
                       woo_secret: str | None = None) -> None:
    """Replace a site's user name, Application Password or WooCommerce keys (kept: its publications)."""
    _actor_check(user)
    if bool(woo_key) != bool(woo_secret):
        raise ValidationFailedError(_("WooCommerce needs both the consumer key and the consumer secret."))
    with session_scope(engine) as session:
        site = _get(session, name)
        if username and username.strip():
            site.username = username.strip()
        if app_password and app_password.strip():
            site.password_encrypted = encrypt(app_password.strip())
        if woo_key and woo_secret:
            site.woo_key_encrypted, site.woo_secret_encrypted = encrypt(woo_key.strip()), encrypt(woo_secret.strip())
        site.updated_at = utcnow()
        session.add(site)


def list_sites(engine: Engine) -> list[Site]:
    """Every connected site, by name (secrets stay encrypted)."""
    with session_scope(engine) as session:
        return list(session.exec(select(Site).order_by(Site.name)))


def get_site(engine: Engine, name: str) -> Site:
    """The site called name, or NotFoundError listing the known ones."""
    with session_scope(engine) as session:
        return _get(session, name)


def _get(session, name: str) -> Site:
    site = session.exec(select(Site).where(Site.name == name.strip())).first()
    if site is None:
        known = ", ".join(s.name for s in session.exec(select(Site).order_by(Site.name))) or "none yet"
        raise NotFoundError(_("There is no site named {name!r} (known: {known}). An admin adds sites in Settings → "
                              "Sites.").format(name=name, known=known))
    return site


def remove_site(engine: Engine, user: User | None, name: str) -> None:
    """Forget a site and its publication records (the posts on the site stay)."""
    _actor_check(user)
    with session_scope(engine) as session:
        site = _get(session, name)
        session.exec(delete(Publication).where(Publication.site_id == site.id))
        session.delete(site)


def client_for(site: Site, *, timeout: float = TIMEOUT, transport=None, rest_style: str | None = None) -> WordPressClient:
    """A REST client signed in as the site's user."""
    password = decrypt(site.password_encrypted, _("the Application Password of {site}").format(site=site.name))
    return WordPressClient(site.base_url, site.username, password, label=site.name, timeout=timeout,
                           transport=transport, rest_style=rest_style, allow_private=site.private_ok)


def check_connection(engine: Engine, user: User | None, name: str, *, timeout: float = TIMEOUT,
                    transport=None) -> ConnectionReport:
    """Sign in to the site and report capabilities, version and writable SEO fields."""
    _actor_check(user)
    site = get_site(engine, name)
    _url, warnings = check_base_url(site.base_url, allow_private=site.private_ok)
    with client_for(site, timeout=timeout, transport=transport) as wp:
        me = wp.me()
        index, meta_keys = wp.index(), wp.meta_keys()
        version = wp.wordpress_version()
    namespaces = set(index.get("namespaces", []))
    plugins = [plugin for plugin, ns in SEO_NAMESPACES.items() if ns in namespaces]
    seo_fields = [key for keys in SEO_FIELDS.values() for key in keys if key in meta_keys]
    connector = KEY_META in meta_keys
    caps = [cap for cap in CAPABILITIES if me.get("capabilities", {}).get(cap)]
    if "publish_posts" not in caps:
        warnings.append(_("The user {me} cannot publish posts: only drafts will work. Give them the Editor or "
                          "Administrator role.").format(me=me.get('username', site.username)))
    missing = unwritable(meta_keys, namespaces)
    if plugins and not seo_fields:
        warnings.append(_("The SEO plugin's fields are not writable through the REST API: install the ContentCraft "
                          "connector (core/wordpress/wp-plugin/contentcraft-connector.php) as a must-use plugin."))
    elif missing:
        warnings.append(_("These SEO fields cannot be written through the REST API, so they will not be set: "
                          "{fields}. The ContentCraft connector registers them.")
                        .format(fields=describe(missing)))
    if not connector:
        warnings.append(_("The ContentCraft connector is not installed: retries find earlier posts by slug only and "
                          "JSON-LD is kept only for users allowed unfiltered HTML."))
    return ConnectionReport(site=site.name, user=me.get("username", site.username), roles=list(me.get("roles", [])),
                            capabilities=caps, wordpress_version=version, rest_style=wp.rest_style or "",
                            seo_plugins=plugins, seo_fields=seo_fields, connector=connector,
                            woocommerce="wc/v3" in namespaces, warnings=warnings, seo_fields_unwritable=missing,
                            time_zone=site_zone(index)[1])


def site_time_zone(engine: Engine, name: str, *, timeout: float = TIMEOUT, transport=None) -> str:
    """The name of the site's time zone (e.g. "Asia/Tehran"), cached for CHOICES_TTL seconds."""
    site = get_site(engine, name)
    cache = make_cache(engine, get_settings().redis_url)
    key = hashlib.sha256(f"wp-zone|{site.id}|{site.base_url}".encode()).hexdigest()
    if (cached := cache.get(key)) is not None:
        return cached
    with client_for(site, timeout=timeout, transport=transport) as wp:
        zone = site_zone(wp.index())[1]
    cache.set(key, zone, CHOICES_TTL)
    return zone


def site_choices(engine: Engine, name: str, *, refresh: bool = False, timeout: float = TIMEOUT,
                 transport=None) -> dict:
    """The site's category and tag names and its authors (id, name), cached for CHOICES_TTL seconds."""
    site = get_site(engine, name)
    cache = make_cache(engine, get_settings().redis_url)
    key = hashlib.sha256(f"wp-choices|{site.id}|{site.base_url}".encode()).hexdigest()
    if not refresh and (cached := cache.get(key)) is not None:
        return json.loads(cached)
    with client_for(site, timeout=timeout, transport=transport) as wp:
        choices = {"categories": sorted(t["name"] for t in wp.terms("categories")),
                   "tags": sorted(t["name"] for t in wp.terms("tags")),
                   "authors": [[a["id"], a["name"]] for a in wp.authors()]}
    cache.set(key, json.dumps(choices, ensure_ascii=False), CHOICES_TTL)
    return choices
