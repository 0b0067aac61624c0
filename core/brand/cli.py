"""`python -m core brand …`: create a profile from sample files and score texts against it, for scripts."""

import json
import os
from pathlib import Path

from ..config import get_settings
from ..db import engine_for, upgrade
from ..errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from ..schemas import LANGUAGES
from . import profiles, sources
from .analysis import html_to_text, markdown_to_text
from .apply import score_label, score_with_profile
from ..i18n import _, language_name, ngettext


def add_commands(commands) -> None:
    """Register the brand subcommands."""
    brand = commands.add_parser("brand", help=_("brand voice profiles")).add_subparsers(dest="action", required=True)
    create = brand.add_parser("create", help=_("create a profile from sample files (.txt, .md, .html, .csv)"))
    create.add_argument("name")
    create.add_argument("--language", choices=list(LANGUAGES), default="en")
    create.add_argument("--samples", nargs="+", required=True, metavar="FILE")
    create.add_argument("--as", dest="actor", default=os.environ.get("CONTENTCRAFT_USER", "cli"), metavar="EMAIL")
    create.set_defaults(handler=cmd_create)
    score = brand.add_parser("score", help=_("score text files against a profile"))
    score.add_argument("name")
    score.add_argument("--text-file", nargs="+", required=True, metavar="FILE", dest="text_files")
    score.add_argument("--language", choices=list(LANGUAGES), help=_("default: the profile's language"))
    score.add_argument("--json", action="store_true", help=_("one object per file: file, score (0–100 or null), "
                                                             "reasons"))
    score.set_defaults(handler=cmd_score)


def _engine():
    url = get_settings().database_url
    upgrade(url)
    return engine_for(url)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ValidationFailedError(_("Cannot read {path}: {strerror}.")
                                    .format(path=path, strerror=error.strerror)) from None


def cmd_create(args) -> int:
    engine = _engine()
    found = [s for path in args.samples for s in sources.from_upload(Path(path).name, _read(path), args.language)]
    try:
        profile = profiles.create_profile(engine, args.actor, args.name, profiles.VoiceFields(language=args.language))
    except PermissionDeniedError as error:
        raise PermissionDeniedError(_("{error}. From the command line, name an editor or admin with --as EMAIL "
                                      "(or CONTENTCRAFT_USER).").format(error=str(error).rstrip("."))) from None
    profiles.add_samples(engine, args.actor, profile.id, found)
    saved = profiles.save_version(engine, args.actor, profile.id, profiles.VoiceFields.of(profile), "created from files")
    if args.language not in saved.references:
        print(_("warning: the samples are too short to score {language} text; add more writing.")
              .format(language=language_name(args.language)))
    lengths = [profiles.sample_length(s.text, args.language) for s in found]
    size, unit = sum(count for count, _unit in lengths), lengths[0][1] if lengths else "words"
    template = (ngettext("Created {name!r} (v{version}) from {count} sample, {size} characters.",
                         "Created {name!r} (v{version}) from {count} samples, {size} characters.", len(found))
                if unit == "characters" else
                ngettext("Created {name!r} (v{version}) from {count} sample, {words} words.",
                         "Created {name!r} (v{version}) from {count} samples, {words} words.", len(found)))
    print(template.format(name=saved.name, version=saved.version, count=len(found), size=size, words=size))
    return 0


def text_of(path: str) -> str:
    """A file's prose: HTML and Markdown reduced to their text, anything else read as UTF-8."""
    try:
        text = _read(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailedError(_("{path} is not UTF-8 text; save it as UTF-8.").format(path=path)) from None
    suffix = Path(path).suffix.lower()
    return html_to_text(text) if suffix in {".html", ".htm"} else markdown_to_text(text) if suffix == ".md" else text


def cmd_score(args) -> int:
    profile = profiles.get_profile(_engine(), args.name)
    if profile is None:
        raise NotFoundError(_("There is no brand profile named {name!r}; create it with `brand create`.")
                            .format(name=args.name))
    results = [_score_file(profile, path, args.language) for path in args.text_files]
    failed = 1 if any("error" in result for result in results) else 0
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return failed
    for result in results:
        if "error" in result:
            print(f"{result['file']}: {result['error']}")
            continue
        print(f"{result['file']}: {score_label(result['score'])}")
        for reason in result["reasons"]:
            print(f"  - {reason}")
    return failed


def _score_file(profile, path: str, language: str | None) -> dict:
    """One file's result; a file that cannot be read gets its error (and no score) so the batch goes on."""
    try:
        score, reasons = score_with_profile(profile, text_of(path), language)
    except ValidationFailedError as error:
        return {"file": path, "score": None, "reasons": [], "error": str(error)}
    return {"file": path, "score": score, "reasons": reasons}
