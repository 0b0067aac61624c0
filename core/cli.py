"""Command-line interface: generate content and manage the database from scripts."""

import argparse
import getpass
import importlib
import io
import os
import sys

from pydantic import ValidationError

from .config import get_settings
from .errors import ContentCraftError, explain_validation_error
from .i18n import _, environment_language, set_language
from .workflow import ACTING_VIA


# Feature modules that add their own subcommands through add_commands(subparsers).
COMMAND_MODULES: tuple[str, ...] = ("core.review_cli", "core.analytics.cli", "core.wordpress.cli", "core.bulk.cli",
                                    "core.access.cli", "core.brand.cli", "core.catalogues")


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree for every command."""
    parser = argparse.ArgumentParser(prog="python -m core", description="ContentCraft command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_commands(commands)

    db = commands.add_parser("db", help=_("database maintenance")).add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help=_("apply all migrations")).set_defaults(handler=cmd_db_upgrade)

    generate = commands.add_parser("generate", help=_("generate content (exit 1: failed; 3: saved but needs review)")).add_subparsers(dest="kind", required=True)
    blog = generate.add_parser("blog", help=_("an SEO blog post"))
    blog.add_argument("--topic", required=True)
    blog.add_argument("--keywords", default="", help=_("comma-separated, at most 10"))
    blog.add_argument("--tone", default="professional")
    blog.add_argument("--length", default="medium", choices=["short", "medium", "long"])
    blog.add_argument("--language", default="en")
    blog.add_argument("--brand-profile")
    blog.add_argument("--sections", default="", help=_("comma-separated section headings"))
    product = generate.add_parser("product", help=_("a WooCommerce product description"))
    product.add_argument("--name", required=True)
    product.add_argument("--category", default="")
    product.add_argument("--features", default="", help=_("semicolon-separated"))
    product.add_argument("--attributes", default="", help=_("key=value pairs separated by semicolons"))
    product.add_argument("--audience", default="")
    product.add_argument("--tone", default="persuasive")
    product.add_argument("--language", default="en")
    product.add_argument("--brand-profile")
    for sub in (blog, product):
        sub.add_argument("--provider")
        sub.add_argument("--model")
        sub.add_argument("--as", dest="user", default=os.environ.get("CONTENTCRAFT_USER", "cli"),
                         help=_("the user the generation is logged for"))
        sub.add_argument("--no-cache", action="store_true")
        sub.add_argument("--keep-external-images", action="store_true",
                         help=_("keep <img> from hosts other than the connected WordPress sites (removed otherwise)"))
        sub.add_argument("--json", action="store_true", help=_("print the result as JSON: {success, data, error, "
                                                               "item_id, …}"))
        sub.set_defaults(handler=cmd_generate)
    return parser


def cmd_db_upgrade(args) -> int:
    from .db import upgrade

    upgrade()
    print(_("Database is up to date ({url}).").format(url=_safe_url(get_settings().database_url)))
    return 0


def cmd_generate(args) -> int:
    from .app_settings import configured_generator
    from .db import upgrade
    from .schemas import ContentRequest, GenerationResult, ProductRequest

    request = _request_from_args(args, ContentRequest, ProductRequest)
    upgrade()
    response = configured_generator().generate(request, args.user, provider=args.provider, model=args.model,
                                    use_cache=not args.no_cache)
    if args.json:
        print(GenerationResult.of(response).model_dump_json(indent=2))
    elif response.status != "failed":
        data = response.content or response.product
        print(data.title)
        print("  " + _("saved as item {item_id} · {provider}/{model} · {latency_ms} ms · {tokens} tokens").format(
            item_id=response.item_id, provider=response.provider, model=response.model,
            latency_ms=response.latency_ms, tokens=response.prompt_tokens + response.completion_tokens))
    if response.status == "failed":
        print(_("error: {message}").format(message=response.error), file=sys.stderr)
        return 1
    if response.status == "needs_review":
        print(_("needs review: {warnings}").format(warnings=" ".join(response.warnings)), file=sys.stderr)
        return 3
    return 0


def _request_from_args(args, content_cls, product_cls):
    if args.kind == "blog":
        return content_cls(topic=args.topic, keywords=args.keywords, tone=args.tone, length=args.length,
                           language=args.language, brand_profile=args.brand_profile,
                           sections=[s for s in args.sections.split(",") if s.strip()],
                           keep_external_images=args.keep_external_images)
    attributes = dict(pair.split("=", 1) for pair in args.attributes.split(";") if "=" in pair)
    return product_cls(name=args.name, category=args.category, features=args.features,
                       attributes={k.strip(): v.strip() for k, v in attributes.items()}, audience=args.audience,
                       tone=args.tone, language=args.language, brand_profile=args.brand_profile,
                       keep_external_images=args.keep_external_images)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no LOGNAME/USER
        return f"uid {os.getuid()}"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors become a one-line message and a non-zero exit code."""
    from .logs import configure_logging

    set_language(environment_language())  # LANGUAGE, LC_ALL, LC_MESSAGES, LANG: messages and help alike
    args = build_parser().parse_args(argv)
    acting = ACTING_VIA.set(f"CLI by the OS user {_os_user()}")  # --as names a user; the audit names who ran it
    try:
        configure_logging(get_settings().log_level)
        return args.handler(args)
    except ValidationError as exc:
        print(_("error: {message}").format(message=explain_validation_error(exc)), file=sys.stderr)
        return 2
    except ContentCraftError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader left (`| head`): stop quietly, as Python's docs advise
        _silence_stdout()
        return 1
    finally:
        ACTING_VIA.reset(acting)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail on the closed pipe."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        sys.stdout = open(os.devnull, "w")
