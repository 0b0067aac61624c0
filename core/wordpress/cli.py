"""`python -m core sites …`, `publish …` and `links …`: WordPress from the command line."""

import json
import os
from dataclasses import asdict
from datetime import datetime

from ..errors import ValidationFailedError
from ..i18n import _, ngettext


def add_commands(commands) -> None:
    """Add the sites, publish, links and secrets subcommands."""
    add_secret_commands(commands)
    sites = commands.add_parser("sites", help=_("WordPress sites")).add_subparsers(dest="action", required=True)
    add = sites.add_parser("add", help=_("connect a site (the password is read from an environment variable)"))
    add.add_argument("name")
    add.add_argument("--url", required=True, help=_("the site's home URL, https://…"))
    add.add_argument("--user", dest="wp_user", required=True, help=_("the WordPress user name"))
    add.add_argument("--app-password-env", required=True, metavar="VAR",
                     help=_("environment variable holding the Application Password"))
    add.add_argument("--woo-key-env", metavar="VAR", help=_("environment variable holding a WooCommerce consumer key"))
    add.add_argument("--woo-secret-env", metavar="VAR", help=_("environment variable holding its consumer secret"))
    add.add_argument("--private", action="store_true",
                     help=_("confirm that a private network address (10.x, 192.168.x…) is the WordPress site"))
    add.set_defaults(handler=cmd_sites_add)
    test = sites.add_parser("test", help=_("sign in and report capabilities and writable SEO fields"))
    test.add_argument("name")
    test.add_argument("--json", action="store_true")
    test.set_defaults(handler=cmd_sites_test)
    creds = sites.add_parser("set-password", help=_("replace a site's Application Password (or WooCommerce keys)"))
    creds.add_argument("name")
    creds.add_argument("--app-password-env", metavar="VAR", help=_("environment variable holding the new password"))
    creds.add_argument("--woo-key-env", metavar="VAR")
    creds.add_argument("--woo-secret-env", metavar="VAR")
    creds.set_defaults(handler=cmd_sites_set_password)
    sites.add_parser("list", help=_("connected sites")).set_defaults(handler=cmd_sites_list)
    remove = sites.add_parser("remove", help=_("forget a site (its posts stay on WordPress)"))
    remove.add_argument("name")
    remove.set_defaults(handler=cmd_sites_remove)
    for sub in (add, test, remove, creds):
        sub.add_argument("--as", dest="actor", default=os.environ.get("CONTENTCRAFT_USER"),
                         help=_("check this admin's role (default: the operator running the command)"))

    publish = commands.add_parser("publish", help=_("publish an approved item to a WordPress site"))
    publish.add_argument("item_id", type=int)
    publish.add_argument("--site", required=True)
    publish.add_argument("--as", dest="actor", default=os.environ.get("CONTENTCRAFT_USER"),
                         help=_("email of the editor or admin publishing (or CONTENTCRAFT_USER)"))
    publish.add_argument("--status", default="draft", choices=["draft", "publish", "future"])
    publish.add_argument("--date", help=_("ISO date and time for --status future; without an offset "
                                          "(2030-01-31T09:00) it is the site's local time, as in WordPress' editor"))
    publish.add_argument("--category", action="append", default=[], help=_("name or id; repeat for more"))
    publish.add_argument("--tag", action="append", default=[], help=_("name or id; repeat for more"))
    publish.add_argument("--author", type=int, help=_("WordPress user id of the author"))
    publish.add_argument("--product-id", type=int, help=_("for product items: the WooCommerce product id"))
    publish.add_argument("--json", action="store_true", help=_("print the post id and link as JSON"))
    publish.set_defaults(handler=cmd_publish)

    links = commands.add_parser("links", help=_("suggest internal links from a site's posts for an item"))
    links.add_argument("item_id", type=int)
    links.add_argument("--site", required=True)
    links.add_argument("--refresh", action="store_true", help=_("fetch the site's posts again"))
    links.add_argument("--json", action="store_true")
    links.set_defaults(handler=cmd_links)


def add_secret_commands(commands) -> None:
    """`secrets check|rotate|reencrypt`: the Fernet key that encrypts stored site passwords."""
    keys = commands.add_parser("secrets", help=_("the key encrypting stored site passwords")).add_subparsers(
        dest="action", required=True)
    keys.add_parser("check", help=_("refuse (exit 1) if stored secrets cannot be decrypted")).set_defaults(
        handler=cmd_secrets_check)
    keys.add_parser("rotate", help=_("put a new key in data/secret.key and re-encrypt every secret with it")
                    ).set_defaults(handler=cmd_secrets_rotate)
    keys.add_parser("reencrypt", help=_("re-encrypt every secret with the first key of CONTENTCRAFT_SECRET_KEY")
                    ).set_defaults(handler=cmd_secrets_reencrypt)


def cmd_secrets_check(args) -> int:
    from .secrets import check_key, stored_secret_count

    engine = _engine()
    check_key(engine)
    count = stored_secret_count(engine)
    print(ngettext("The key decrypts the stored secrets ({count} site).",
                   "The key decrypts the stored secrets ({count} sites).", count).format(count=count))
    return 0


def cmd_secrets_rotate(args) -> int:
    from .secrets import KEY_FILE, rotate_key_file

    count = rotate_key_file(_engine())
    print(ngettext("New key written to {path}; {count} secret re-encrypted. Back the new key up now (apart from the "
                   "database); the old one no longer decrypts anything.",
                   "New key written to {path}; {count} secrets re-encrypted. Back the new key up now (apart from the "
                   "database); the old one no longer decrypts anything.", count).format(path=KEY_FILE, count=count))
    return 0


def cmd_secrets_reencrypt(args) -> int:
    from .secrets import reencrypt

    count = reencrypt(_engine())
    print(ngettext("{count} secret re-encrypted with the first key; you can now drop the old keys.",
                   "{count} secrets re-encrypted with the first key; you can now drop the old keys.", count)
          .format(count=count))
    return 0


def _engine():
    from ..db import get_engine, upgrade

    upgrade()
    return get_engine()


def _user(engine, email: str | None, required: bool):
    from ..auth import get_user

    if not email:
        if required:
            raise ValidationFailedError(_("Say who is publishing: --as EMAIL (an editor or admin), or set "
                                          "CONTENTCRAFT_USER."))
        return None
    user = get_user(engine, email)
    if user is None:
        raise ValidationFailedError(_("There is no user {email}.").format(email=email))
    return user


def _env(name: str | None, what: str) -> str | None:
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise ValidationFailedError(_("The environment variable {name} ({what}) is not set or empty.")
                                    .format(name=name, what=what))
    return value


def cmd_sites_add(args) -> int:
    from .sites import add_site

    engine = _engine()
    site, warnings = add_site(engine, _user(engine, args.actor, False), name=args.name, url=args.url,
                              allow_private=getattr(args, "private", False),
                              username=args.wp_user,
                              app_password=_env(args.app_password_env, _("the Application Password")),
                              woo_key=_env(args.woo_key_env, _("the WooCommerce consumer key")),
                              woo_secret=_env(args.woo_secret_env, _("the WooCommerce consumer secret")))
    for warning in warnings:
        print(_("warning: {warning}").format(warning=warning))
    print(_("Added site {name} ({base_url}). Check it with: python -m core sites test {name!r}")
          .format(name=site.name, base_url=site.base_url))
    return 0


def cmd_sites_set_password(args) -> int:
    from .sites import update_credentials

    engine = _engine()
    update_credentials(engine, _user(engine, args.actor, False), args.name,
                       app_password=_env(args.app_password_env, _("the Application Password")),
                       woo_key=_env(args.woo_key_env, _("the WooCommerce consumer key")),
                       woo_secret=_env(args.woo_secret_env, _("the WooCommerce consumer secret")))
    print(_("Saved new credentials for {name}.").format(name=args.name))
    return 0


def cmd_sites_test(args) -> int:
    from .sites import check_connection

    engine = _engine()
    report = check_connection(engine, _user(engine, args.actor, False), args.name)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return 0
    print(_("Connected to {site} as {user} ({roles}); WordPress {version}; REST via {route}").format(
        site=report.site, user=report.user, roles=", ".join(report.roles) or _("no role"),
        version=report.wordpress_version or _("version hidden"),
        route="/wp-json/" if report.rest_style == "pretty" else "?rest_route="))
    print("  " + _("capabilities: {capabilities}").format(capabilities=", ".join(report.capabilities) or _("none")))
    print("  " + _("SEO plugins: {plugins}; writable SEO fields: {fields}").format(
        plugins=", ".join(report.seo_plugins) or _("none found"), fields=", ".join(report.seo_fields) or _("none"))
          + ("; " + _("cannot be written: {fields}").format(fields=", ".join(report.seo_fields_unwritable))
             if report.seo_fields_unwritable else ""))
    print("  " + _("time zone (scheduled posts): {zone}").format(zone=report.time_zone or "UTC"))
    print("  " + _("ContentCraft connector: {connector}; WooCommerce API: {woocommerce}").format(
        connector=_("installed") if report.connector else _("not installed"),
        woocommerce=_("yes") if report.woocommerce else _("no")))
    for warning in report.warnings:
        print(_("warning: {warning}").format(warning=warning))
    return 0


def cmd_sites_list(args) -> int:
    from .sites import list_sites

    for site in list_sites(_engine()):
        print(f"{site.name}\t{site.base_url}\t{site.username}\t"
              f"{'woocommerce' if site.woo_key_encrypted else ''}")
    return 0


def cmd_sites_remove(args) -> int:
    from .sites import remove_site

    engine = _engine()
    remove_site(engine, _user(engine, args.actor, False), args.name)
    print(_("Removed site {name}.").format(name=args.name))
    return 0


def cmd_publish(args) -> int:
    from .publish import PublishOptions, publish
    from .woocommerce import push_product

    engine = _engine()
    user = _user(engine, args.actor, True)
    if args.product_id is not None:
        result = push_product(engine, user, args.item_id, args.site, args.product_id)
    else:
        date = _parse_date(args.date) if args.date else None
        options = PublishOptions(status=args.status, date=date, categories=args.category, tags=args.tag,
                                 author=args.author)
        result = publish(engine, user, args.item_id, args.site, options)
    if args.json:
        print(json.dumps({"item_id": result.item_id, "site": result.site, "post_id": result.remote_id,
                          "link": result.url, "status": result.remote_status, "created": result.created,
                          "warnings": result.warnings}, ensure_ascii=False))
    else:
        done = _("Created post {post_id} ({status}): {url}") if result.created else _("Updated post {post_id} ({status}): {url}")
        print(done.format(post_id=result.remote_id, status=result.remote_status, url=result.url))
        for warning in result.warnings:
            print(_("warning: {warning}").format(warning=warning))
    return 0


def _parse_date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailedError(_("--date {value!r} is not an ISO date and time, e.g. 2030-01-31T09:00+01:00.")
                                    .format(value=value)) from None


def cmd_links(args) -> int:
    from ..workflow import get_item
    from .links import suggest_links

    engine = _engine()
    suggestions = suggest_links(engine, get_item(engine, args.item_id), args.site, refresh=args.refresh)
    if args.json:
        print(json.dumps([asdict(s) for s in suggestions], ensure_ascii=False, indent=2))
    else:
        for s in suggestions:
            print(f"{s.score:7.3f}  {s.title}\n         {s.url}")
    return 0
