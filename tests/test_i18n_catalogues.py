"""The translation catalogues: the template matches the code, fa/de/es are complete, placeholders survive."""

import os
import shutil
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo

import core.i18n
import core.catalogues
from core.catalogues import TEMPLATE, coverage, coverage_table, is_translated, po_path, read_catalogue, untranslated
from core.errors import ValidationFailedError
from core.i18n import environment_language, use_language

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = ("fa", "de", "es")
TRANSLATED = ("fa", "de", "es", "ar", "fr", "it", "ja", "ko", "zh")


@pytest.fixture(scope="session")
def locale_dir(tmp_path_factory):
    """Every committed .po compiled into a temporary locale directory (the .mo files are build output)."""
    target = tmp_path_factory.mktemp("locale")
    for language in TRANSLATED:
        if po_path(language).exists():
            out = target / language / "LC_MESSAGES"
            out.mkdir(parents=True)
            with (out / "contentcraft.mo").open("wb") as handle:
                write_mo(handle, read_catalogue(po_path(language), language))
    return target


@pytest.fixture
def compiled(locale_dir, monkeypatch):
    """core.i18n reads the freshly compiled catalogues."""
    monkeypatch.setattr(core.i18n, "LOCALE_DIR", locale_dir)
    core.i18n.catalogue.cache_clear()
    yield locale_dir
    core.i18n.catalogue.cache_clear()


def placeholders(text: str) -> set[str]:
    """The {named} fields (with conversion and spec) and %(name)s / %s markers of a message."""
    found = set()
    try:
        for _literal, field, spec, conversion in string.Formatter().parse(text):
            if field is not None:
                found.add(f"{{{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}")
    except ValueError:  # not a format string (a literal brace in a message that is never formatted)
        pass
    percent = re.findall(r"%\([a-z_]+\)[sd]|%[sd]", text)
    return found | set(percent)


def test_template_matches_the_code(tmp_path):
    """`make pot` run now finds exactly the messages of the committed template (run `make messages` if not)."""
    fresh = tmp_path / "contentcraft.pot"
    subprocess.run(["make", "-s", "pot", f"POT={fresh}"], cwd=ROOT, check=True, capture_output=True)
    ids = {message.id for message in read_catalogue(fresh) if message.id}
    committed = {message.id for message in read_catalogue(TEMPLATE) if message.id}
    assert not ids - committed, f"in the code but not in {TEMPLATE.name}: run `make messages`"
    assert not committed - ids, f"in {TEMPLATE.name} but no longer in the code: run `make messages`"


def test_extraction_is_reproducible(tmp_path):
    """Two runs give the same file apart from its creation date: no line numbers, sorted."""
    first, second = tmp_path / "a.pot", tmp_path / "b.pot"
    for out in (first, second):
        subprocess.run(["make", "-s", "pot", f"POT={out}"], cwd=ROOT, check=True, capture_output=True)
    strip = lambda path: [line for line in path.read_text().splitlines() if not line.startswith('"POT-Creation')]
    assert strip(first) == strip(second)
    assert "#: " not in first.read_text()


@pytest.mark.parametrize("language", COMPLETE)
def test_catalogue_is_complete(language):
    """Every message of the template is translated, in every plural form, and none is fuzzy."""
    catalogue = read_catalogue(po_path(language), language)
    missing = [message.id for message in read_catalogue(TEMPLATE)
               if message.id and (catalogue.get(message.id) is None or not is_translated(catalogue.get(message.id)))]
    assert not missing, f"{language}: {len(missing)} untranslated or fuzzy, e.g. {missing[:3]}"
    assert not catalogue.fuzzy


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_plural_forms(language):
    """A translation has exactly the source's placeholders and as many forms as the language's plural rule."""
    catalogue = read_catalogue(po_path(language), language)
    problems = []
    for message in catalogue:
        if not message.id or not is_translated(message):
            continue
        if message.pluralizable:
            source = placeholders(message.id[1])
            if len(message.string) != catalogue.num_plurals:
                problems.append((message.id, f"{len(message.string)} forms, not {catalogue.num_plurals}"))
            forms = message.string
        else:
            source, forms = placeholders(message.id), [message.string]
        for form in forms:
            if placeholders(form) != source:
                problems.append((message.id, sorted(placeholders(form) ^ source)))
    assert not problems, problems[:5]


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogues_pass_babel_checks(language):
    """Babel's own checkers (python-format placeholders, plural count) find nothing."""
    catalogue = read_catalogue(po_path(language), language)
    errors = [(message.id, [str(e) for e in found]) for message, found in catalogue.check()]
    assert not errors, errors[:5]


def test_plural_forms_header_is_the_languages_rule():
    """The Plural-Forms header is the CLDR rule Babel knows for the language."""
    from babel import Locale
    from babel.messages.plurals import get_plural

    for language in TRANSLATED:
        catalogue = read_catalogue(po_path(language), language)
        rule = get_plural(Locale.parse(language))
        assert catalogue.num_plurals == rule.num_plurals and catalogue.plural_expr == rule.plural_expr, language


def test_core_error_is_translated_with_use_language(compiled):
    """A core error raised while German is current speaks German; English stays the source text."""
    from core.auth import hash_password

    with pytest.raises(ValidationFailedError) as english:
        hash_password("short")
    with use_language("de"), pytest.raises(ValidationFailedError) as german:
        hash_password("short")
    with use_language("fa"), pytest.raises(ValidationFailedError) as persian:
        hash_password("short")
    assert str(english.value) == "Passwords need at least 12 characters."
    assert "Passwörter" in str(german.value) and "12" in str(german.value)
    assert "رمز" in str(persian.value) and "12" in str(persian.value)


def test_plural_messages_follow_the_language(compiled):
    """ngettext picks the language's form: German singular and plural, Persian for 1 and many."""
    from core.i18n import ngettext

    source = ("{count} row exported.", "{count} rows exported.")
    with use_language("de"):
        assert ngettext(*source, 1).format(count=1) != ngettext(*source, 2).format(count=2)
        assert "1" in ngettext(*source, 1).format(count=1) and "Zeile" in ngettext(*source, 1)
    with use_language("en"):
        assert ngettext(*source, 1).format(count=1) == "1 row exported."


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LANGUAGE": "fa:en", "LANG": "de_DE.UTF-8"}, "fa"),
    ({"LANGUAGE": "pt_BR:es", "LANG": "C"}, "es"), ({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE"}, "fr"),
    ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "de_DE"}, "ja"), ({"LANG": "pt_BR.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
])
def test_cli_language_comes_from_the_environment(environ, expected):
    """gettext's order: LANGUAGE (a list), then the first set of LC_ALL, LC_MESSAGES, LANG."""
    assert environment_language(environ) == expected


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "de_DE.UTF-8"}, "Fehler"), ({"LANGUAGE": "fa"}, "خطا"), ({"LANG": "es_ES.UTF-8"}, "No existe el usuario"),
    ({"LANG": "en_US.UTF-8"}, "error: No user nobody@example.com"),
])
def test_cli_prints_in_the_environment_language(compiled, tmp_path, environ, expected):
    """`python -m core` run with LANG or LANGUAGE prints its error in that language."""
    code = ("import sys, core.i18n; from pathlib import Path; core.i18n.LOCALE_DIR = Path(sys.argv[1]); "
            "from core.cli import main; raise SystemExit(main(sys.argv[2:]))")
    env = {k: v for k, v in os.environ.items() if k not in {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}}
    env.update(environ, CONTENTCRAFT_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    done = subprocess.run([sys.executable, "-c", code, str(compiled), "items", "approve", "1",
                           "--as", "nobody@example.com"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and expected in done.stderr, done.stderr


def test_readme_has_the_coverage_table():
    """The README shows each language's row of `python -m core i18n coverage`; fa/de/es at 100%."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = coverage_table().splitlines()
    assert rows[0] in readme and all(row.split(" | ")[1] in readme for row in rows[2:])
    assert all(coverage(language).translated == coverage(language).total > 0 for language in COMPLETE)


def test_todo_lists_what_a_language_still_needs(tmp_path, monkeypatch):
    """`i18n todo` names an entry whose translation was removed or marked fuzzy, and nothing for a full catalogue."""
    from babel.messages.pofile import write_po

    catalogue = read_catalogue(po_path("de"), "de")
    emptied, fuzzy = "Wrong email or password.", "The current password is wrong."
    catalogue[emptied].string = ""
    catalogue[fuzzy].flags.add("fuzzy")
    copy = tmp_path / "contentcraft.po"
    with copy.open("wb") as handle:
        write_po(handle, catalogue)
    assert untranslated("de") == []
    monkeypatch.setattr(core.catalogues, "po_path", lambda language: copy)
    assert sorted(untranslated("de")) == sorted([emptied, fuzzy])


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed (.ci/run installs it)")
@pytest.mark.parametrize("language", TRANSLATED)
def test_gnu_msgfmt_accepts_the_catalogue(language):
    """GNU msgfmt --check (headers, plural forms, python-format and python-brace-format directives) passes."""
    done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po_path(language))], capture_output=True,
                          text=True)
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
