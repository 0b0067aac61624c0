"""`python -m core users …` and `python -m core items …`: scripted review with the dashboard's role checks."""

import getpass
import json
import os

from . import auth, workflow
from .db import engine_for, upgrade
from .identity import accounts
from .config import get_settings
from .errors import AuthenticationError, ValidationFailedError
from .library import ItemFilter, list_items
from .i18n import _


def add_commands(commands) -> None:
    """Register the users and items subcommands."""
    users = commands.add_parser("users", help=_("manage users")).add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help=_("add a user"))
    add.add_argument("email")
    add.add_argument("--role", choices=auth.ROLES, default="writer")
    add.add_argument("--password-env", metavar="VAR", help=_("read the password from this environment variable"))
    add.set_defaults(handler=cmd_users_add)
    users.add_parser("list", help=_("list users")).set_defaults(handler=cmd_users_list)
    for action, helptext in (("deactivate", _("sign a user out everywhere and block sign-in")),
                             ("activate", _("let a deactivated user sign in again")), ("delete", _("remove a user")),
                             ("reset-password", _("set a temporary password (signs the user out)")),
                             ("role", _("change a user's role"))):
        sub = users.add_parser(action, help=helptext)
        sub.add_argument("email")
        if action == "role":
            sub.add_argument("role", choices=auth.ROLES)
        if action == "reset-password":
            sub.add_argument("--password-env", metavar="VAR", help=_("read the new password from this variable"))
        sub.add_argument("--as", dest="actor", required=True, metavar="EMAIL", help=_("the admin acting"))
        sub.set_defaults(handler=cmd_users_change, change=action)

    items = commands.add_parser("items", help=_("review content items")).add_subparsers(dest="action", required=True)
    listing = items.add_parser("list", help=_("list items"))
    listing.add_argument("--status", choices=workflow.STATUSES)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_items_list)
    for action, target, helptext in (("submit", "in_review", _("submit an item for review")),
                                     ("approve", "approved", _("approve an item")),
                                     ("reject", "rejected", _("reject an item"))):
        sub = items.add_parser(action, help=helptext)
        sub.add_argument("item_id", type=int)
        sub.add_argument("--as", dest="actor", required=True, metavar="EMAIL", help=_("the user acting"))
        sub.add_argument("--comment", default="")
        sub.set_defaults(handler=cmd_items_transition, target=target)


def _engine():
    url = get_settings().database_url
    upgrade(url)
    return engine_for(url)


def _password(args) -> str:
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise ValidationFailedError(_("The environment variable {password_env} is empty or not set.")
                                        .format(password_env=args.password_env))
        return password
    return getpass.getpass(_("Password for {email}: ").format(email=args.email))


def _actor(engine, email: str):
    actor = auth.get_user(engine, email)
    if actor is None:
        raise AuthenticationError(_("No user {email}: add one with `python -m core users add`.")
                                  .format(email=email))
    return actor


def cmd_users_change(args) -> int:
    engine = _engine()
    actor = _actor(engine, args.actor)
    if args.change in ("deactivate", "activate"):
        accounts.set_active(engine, actor, email=args.email, active=args.change == "activate")
    elif args.change == "delete":
        accounts.delete_user(engine, actor, email=args.email)
    elif args.change == "reset-password":
        accounts.reset_password(engine, actor, email=args.email, new_password=_password(args))
    else:
        accounts.set_role(engine, actor, email=args.email, role=args.role)
    print(_("{email}: {change} done.").format(email=args.email, change=args.change))
    return 0


def cmd_users_add(args) -> int:
    password = _password(args)
    user = auth.create_user(_engine(), email=args.email, password=password, role=args.role)
    print(_("Added {email} as {role}.").format(email=user.email, role=user.role))
    return 0


def cmd_users_list(args) -> int:
    for user in auth.list_users(_engine()):
        print(f"{user.email}\t{user.role}\t{_('active') if user.is_active else _('inactive')}")
    return 0


def cmd_items_list(args) -> int:
    items = list_items(_engine(), ItemFilter(status=args.status))
    rows = [{"id": i.id, "type": i.type, "status": i.status, "title": i.title, "author": i.author,
             "language": i.language, "updated_at": i.updated_at.isoformat()} for i in items]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"#{row['id']}\t{row['status']}\t{row['type']}\t{row['author']}\t{row['title']}")
    return 0


def cmd_items_transition(args) -> int:
    engine = _engine()
    actor = _actor(engine, args.actor)
    item = workflow.transition(engine, actor, args.item_id, args.target, args.comment)
    print(_("Item #{id} is now {status}.").format(id=item.id, status=item.status.replace('_', ' ')))
    return 0
