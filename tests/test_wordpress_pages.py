"""The Sites and Publish panels without a WordPress: validation, roles and empty states."""

import pytest
from cryptography.fernet import Fernet

from core import config
from core.wordpress import add_site, list_sites
from tests.wordpress.harness import approved_item
from tests.net import APP_TIMEOUT


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()


def test_sites_form_rejects_non_http_urls_with_the_reason(app_as, engine):
    at = app_as("admin", page="pages/settings.py")
    at.text_input(key="sites_name").input("Old blog")
    at.text_input(key="sites_url").input("ftp://blog.example.com")
    at.text_input(key="sites_username").input("ed")
    at.text_input(key="sites_password").input("abcd efgh")
    at.button(key="FormSubmitter:sites_add-Add site").click().run()
    assert not at.exception
    assert any("must start with https:\u2060//" in e.value and "'ftp:'" in e.value for e in at.error)  # no autolink
    assert list_sites(engine) == []


def test_sites_form_warns_about_plain_http(app_as, engine):
    at = app_as("admin", page="pages/settings.py")
    for key, value in (("sites_name", "Shop"), ("sites_url", "http://shop.example.com"), ("sites_username", "ed"),
                       ("sites_password", "abcd efgh")):
        at.text_input(key=key).input(value)
    at.button(key="FormSubmitter:sites_add-Add site").click().run()
    assert not at.exception and [s.name for s in list_sites(engine)] == ["Shop"]
    assert any("plain http" in w.value for w in at.warning)
    assert "abcd efgh" not in str([e.value for e in at.dataframe])


def test_publish_panel_needs_a_site_and_an_approved_item(app_as, engine, generator, fake, make_user):
    writer, chief = make_user("writer"), make_user("editor", "chief@example.com")
    item_id = approved_item(generator, fake, engine, chief, writer, title="Panel Without Sites Shoes")
    at = app_as("editor", page="pages/library.py")
    assert not at.exception
    assert any("No WordPress site is connected yet" in i.value for i in at.info)
    add_site(engine, None, name="blog", url="http://127.0.0.1:9", username="ed", app_password="abcd efgh")
    at.run()
    at.button(key=f"publish_go_{item_id}").click().run()
    assert not at.exception
    assert any("Cannot reach" in e.value for e in at.error)


def _bulk_page():
    from core import auth
    from ui.common import engine
    from ui.publish_panel import bulk_publish_panel

    bulk_publish_panel(auth.get_user(engine(), "chief@example.com"))


def test_bulk_publish_reports_each_item(engine, generator, fake, make_user):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    writer, chief = make_user("writer"), make_user("editor", "chief@example.com")
    ids = [approved_item(generator, fake, engine, chief, writer, title=f"Bulk Panel Shoes {n}") for n in (1, 2)]
    add_site(engine, None, name="down", url="http://127.0.0.1:9", username="ed", app_password="abcd efgh")
    st.cache_resource.clear()
    at = AppTest.from_function(_bulk_page, default_timeout=APP_TIMEOUT).run()
    at.button(key="publish_bulk_go").click().run()
    assert not at.exception
    assert any("0 published, 2 failed" in w.value for w in at.warning)
    rows = at.dataframe[0].value
    assert list(rows["Item"]) == [f"#{i}" for i in sorted(ids, reverse=True)]
    assert all("Cannot reach" in reason for reason in rows["Link or reason"])
