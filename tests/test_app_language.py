"""The dashboard's language: the sidebar switch, the profile setting, the browser's and the settings' default,
right to left for fa and ar, and numbers and dates in the chosen language."""

from datetime import datetime, timezone

import pytest
import streamlit as st
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from sqlalchemy import inspect
from streamlit.testing.v1 import AppTest

from core import auth, config, i18n
from core.errors import ValidationFailedError
from core.identity import preferences
from core.models import User
from core.i18n import negotiate, ngettext, use_language
from tests.conftest import signed_in
from ui import formats, labels

RTL_RULE = ".stApp { direction: rtl; }"


def fresh(engine, user, context: dict | None = None) -> AppTest:
    """A new browser session of the dashboard for user (nothing chosen in it yet), run once."""
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.context.update(context or {})
    signed_in(at, engine, user)
    at.run()
    assert not at.exception, at.exception
    return at


def mirrored(at) -> bool:
    return any(RTL_RULE in element.proto.body for element in at.get("html"))


def document_direction(at) -> str:
    script = next(e.proto.body for e in at.get("html") if "documentElement.dir" in e.proto.body)
    return "rtl" if 'dir = "rtl"' in script else "ltr"


@pytest.fixture
def browser(monkeypatch):
    """Set the Accept-Language header the next sessions send (AppTest's context cannot carry headers)."""
    def send(header: str | None) -> None:
        monkeypatch.setattr("ui.language.browser_header", lambda: header)

    send(None)
    return send


@pytest.fixture
def persian_catalogue(tmp_path, monkeypatch):
    """A tiny compiled fa catalogue in a temp locale dir, so the test does not depend on the shipped ones."""
    catalog = Catalog(locale="fa", domain=i18n.DOMAIN)
    catalog.add("Content Studio", "استودیو محتوا")
    catalog.add(("{count} note (these rows still run)", "{count} notes (these rows still run)"),
                ("{count} یادداشت (این ردیف‌ها اجرا می‌شوند)", "{count} یادداشت (این ردیف‌ها اجرا می‌شوند)"))
    folder = tmp_path / "locale" / "fa" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / f"{i18n.DOMAIN}.mo", "wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.catalogue.cache_clear()
    yield
    i18n.catalogue.cache_clear()


def test_english_left_to_right_by_default(app_as, browser):
    at = app_as("writer")
    assert at.title[0].value == "Content Studio"
    assert at.sidebar.selectbox(key="sidebar_language").value == "en"
    assert not mirrored(at) and document_direction(at) == "ltr"


def test_switch_shows_own_names_mirrors_and_persists(engine, make_user, browser):
    user = make_user("writer")
    at = fresh(engine, user)
    switch = at.sidebar.selectbox(key="sidebar_language")
    assert switch.options == ["English", "فارسی", "العربية", "Deutsch", "Español", "Français", "Italiano", "日本語",
                              "한국어", "中文"]
    switch.set_value("fa").run()
    assert not at.exception and auth.get_user(engine, user.email).language == "fa"
    assert at.selectbox(key="studio_language").options[1] == "فارسی (fa)", "the page speaks Persian at once"
    assert at.session_state["studio_length"] == "short" and at.session_state["studio_tone"] == "friendly", \
        "choices survive the switch, though the options now read differently"

    again = fresh(engine, user)  # another tab or browser: the saved choice wins over the browser's
    assert again.sidebar.selectbox(key="sidebar_language").value == "fa"
    assert mirrored(again) and document_direction(again) == "rtl"
    with use_language("fa"):  # AppTest formats the drawn options again in the test's own thread
        again.sidebar.selectbox(key="sidebar_language").set_value("de").run()
    assert not again.exception and auth.get_user(engine, user.email).language == "de"
    third = fresh(engine, user)
    assert not mirrored(third) and document_direction(third) == "ltr"
    assert third.selectbox(key="studio_language").options[1] == "Persisch (fa)"


def test_accept_language_sets_a_new_sessions_default(engine, make_user, browser):
    browser("fa-IR,fa;q=0.9,en-US;q=0.8")
    at = fresh(engine, make_user("writer"))
    assert at.sidebar.selectbox(key="sidebar_language").value == "fa" and mirrored(at)
    browser("pt-BR,de;q=0.7,en;q=0.5")  # the first language we have, by q-value
    at = fresh(engine, make_user("editor"))
    assert at.sidebar.selectbox(key="sidebar_language").value == "de" and not mirrored(at)


def test_browser_locale_then_settings_then_english(engine, make_user, browser, monkeypatch):
    user = make_user("writer")
    assert fresh(engine, user, {"locale": "ar-EG"}).sidebar.selectbox(key="sidebar_language").value == "ar"
    monkeypatch.setenv("CONTENTCRAFT_UI_LANGUAGE", "es")
    config.get_settings.cache_clear()
    assert fresh(engine, user).sidebar.selectbox(key="sidebar_language").value == "es"
    monkeypatch.setenv("CONTENTCRAFT_UI_LANGUAGE", "pt")  # not one of ours
    config.get_settings.cache_clear()
    assert fresh(engine, user).sidebar.selectbox(key="sidebar_language").value == "en"


def test_profile_setting_saves_or_follows_the_browser(engine, make_user, browser):
    user = make_user("writer")
    browser("de")
    at = fresh(engine, user)
    profile = at.sidebar.selectbox(key="account_language")
    assert profile.value == "" and profile.format_func("") == "The browser's language"
    with use_language("de"):
        profile.set_value("ar").run()
    assert not at.exception and auth.get_user(engine, user.email).language == "ar"
    assert mirrored(fresh(engine, user))
    again = fresh(engine, user)
    with use_language("ar"):
        again.sidebar.selectbox(key="account_language").set_value("").run()
    assert not again.exception and auth.get_user(engine, user.email).language is None
    third = fresh(engine, user)
    assert third.sidebar.selectbox(key="sidebar_language").value == "de" and not mirrored(third)


def test_sign_in_page_has_the_switch(engine, make_user, browser):
    make_user("admin")
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert at.title[0].value == "Sign in to ContentCraft"
    at.sidebar.selectbox(key="sidebar_language").set_value("fa").run()
    assert not at.exception and mirrored(at) and at.session_state["ui_language"] == "fa"


def test_pages_speak_the_chosen_language(engine, make_user, browser, persian_catalogue):
    user = make_user("writer")
    at = fresh(engine, user)
    assert at.title[0].value == "Content Studio"
    at.sidebar.selectbox(key="sidebar_language").set_value("fa").run()
    assert at.title[0].value == "استودیو محتوا"
    links = [link.label for link in fresh(engine, user).sidebar.get("page_link")]
    assert "استودیو محتوا" in links and "Library" in links  # untranslated entries fall back to English
    with use_language("fa"):
        assert ngettext("{count} note (these rows still run)", "{count} notes (these rows still run)",
                        2).format(count=2) == "2 یادداشت (این ردیف‌ها اجرا می‌شوند)"


def test_every_ui_language_renders_every_page(engine, make_user, browser):
    user = make_user("admin")
    for code in ("fa", "ar", "ja"):
        at = fresh(engine, user)
        with use_language(at.sidebar.selectbox(key="sidebar_language").value):
            at.sidebar.selectbox(key="sidebar_language").set_value(code).run()
        with use_language(code):
            for page in ("pages/library.py", "pages/analytics.py", "pages/settings.py", "pages/bulk.py",
                         "pages/brand.py", "pages/api_tokens.py", "pages/products.py", "pages/studio.py"):
                at.switch_page(page).run()
                assert not at.exception, (code, page, at.exception)


def test_accept_language_negotiation():
    assert negotiate("fa-IR,fa;q=0.9,en;q=0.8") == "fa"
    assert negotiate("en-US,en;q=0.9,de;q=0.95") == "en"
    assert negotiate("de-CH;q=0.5, fr;q=0.7") == "fr"
    assert negotiate("zh-Hant-TW") == "zh"
    assert negotiate("pt-BR, *;q=0.1") is None and negotiate("") is None and negotiate(None) is None
    assert negotiate("ar;q=abc, ko") == "ko", "a malformed q-value counts as 0"


def test_numbers_and_dates_follow_the_language():
    moment = datetime(2026, 11, 30, 9, 14, tzinfo=timezone.utc)
    with use_language("en"):
        assert (formats.number(12345), formats.percent(0.1234), formats.money(1234.5)) == ("12,345", "12.3%",
                                                                                            "$1,234.50")
        assert formats.milliseconds(1234) == "1.2 s" and formats.when(moment, "UTC") == "Nov 30, 2026, 9:14:00\u202fAM"
        assert labels.language_name("fa") == "Persian"
    with use_language("de"):
        assert (formats.number(12345), formats.number(3.14159, 1)) == ("12.345", "3,1")
        assert formats.day(moment.date()) == "30.11.2026" and labels.language_name("fa") == "Persisch"
    with use_language("fa"):
        assert formats.number(12345) == "۱۲٬۳۴۵" and formats.number(2.5) == "۲٫۵"
        assert "۲۰۲۶" in formats.when(moment, "UTC") and "نوامبر" in formats.day(moment.date())
        assert formats.stamp(moment, "UTC") == "۲۰۲۶/۱۱/۳۰ ۹:۱۴", "date first, no Arabic comma or RLM between"
    with use_language("en"):
        assert formats.stamp(moment, "UTC") == "11/30/26 9:14\u202fAM" and formats.stamp(None) == formats.DASH


def test_user_language_is_migrated_and_checked(engine, make_user):
    column = {c["name"]: c for c in inspect(engine).get_columns("user")}["language"]
    assert column["nullable"] and column["type"].length == User.__table__.c.language.type.length == 8
    user = make_user("writer")
    assert preferences.set_language(engine, user, "fa-IR") == "fa"
    assert auth.get_user(engine, user.email).language == "fa"
    with pytest.raises(ValidationFailedError, match="Unknown language 'pt'"):
        preferences.set_language(engine, user, "pt")
    assert preferences.set_language(engine, user, None) is None and auth.get_user(engine, user.email).language is None
