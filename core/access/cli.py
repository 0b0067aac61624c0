"""`python -m core tokens create|list|revoke`: personal API tokens from the terminal (operator use)."""

from ..errors import ValidationFailedError
from ..i18n import _


def add_commands(commands) -> None:
    """Register the tokens subcommands."""
    tokens = commands.add_parser("tokens", help=_("API tokens")).add_subparsers(dest="action", required=True)
    create = tokens.add_parser("create", help=_("create a token for a user; the token is the last line printed"))
    create.add_argument("email")
    create.add_argument("--name", required=True, help=_("what uses it, e.g. the WordPress site"))
    create.add_argument("--expires-days", type=int, help=_("days until it stops working (default: never)"))
    create.add_argument("--role", choices=("writer", "editor", "admin"),
                        help=_("lower the token's role below the user's"))
    create.set_defaults(handler=cmd_create)
    listing = tokens.add_parser("list", help=_("list tokens (never their values)"))
    listing.add_argument("--user", metavar="EMAIL", help=_("only this user's tokens"))
    listing.set_defaults(handler=cmd_list)
    revoke = tokens.add_parser("revoke", help=_("revoke a token by id"))
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(handler=cmd_revoke)


def _engine():
    from ..config import get_settings
    from ..db import engine_for, upgrade

    url = get_settings().database_url
    upgrade(url)
    return engine_for(url)


def cmd_create(args) -> int:
    from .tokens import create_token, token_owner

    engine = _engine()
    token, row = create_token(engine, token_owner(engine, args.email), name=args.name,
                              expires_days=args.expires_days, role=args.role)
    expiry = _day(row.expires_at)
    print(_("Token #{id} {name!r} for {email} (role {role}, expires {expiry}). It is shown only now; store it "
            "safely:").format(id=row.id, name=row.name, email=args.email, role=row.role, expiry=expiry))
    print(token)
    return 0


def cmd_list(args) -> int:
    from sqlmodel import select

    from ..db import session_scope
    from ..models import User
    from .models import ApiToken

    engine = _engine()
    with session_scope(engine) as session:
        query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if args.user:
            query = query.where(User.email == args.user.strip().lower())
        rows = session.exec(query).all()
    for token, email in rows:
        state = _("revoked") if token.revoked_at else _("active")
        print(f"#{token.id}\t{token.prefix}…\t{email}\t{token.name}\t{token.role}\t{state}\t"
              + _("expires {day}").format(day=_day(token.expires_at)) + "\t"
              + _("last used {day}").format(day=_day(token.last_used_at)))
    return 0


def cmd_revoke(args) -> int:
    from sqlmodel import select

    from ..db import session_scope
    from ..models import User
    from .models import ApiToken
    from .tokens import revoke_token

    engine = _engine()
    with session_scope(engine) as session:
        token = session.get(ApiToken, args.token_id)
        owner = session.exec(select(User).where(User.id == token.user_id)).first() if token else None
    if owner is None:
        raise ValidationFailedError(_("There is no API token #{token_id}: see `python -m core tokens list`.")
                                    .format(token_id=args.token_id))
    revoke_token(engine, owner, args.token_id)  # the operator acts as the owner
    print(_("Token #{token_id} revoked.").format(token_id=args.token_id))
    return 0


def _day(moment) -> str:
    return moment.date().isoformat() if moment else _("never")
