"""Debian's Chromium renders md() of hostile remote text in Streamlit: no links, emoji, icons or coloured spans."""

import os

import pytest

from tests.browser import CHROMIUM, ROOT, require_chromium, streamlit_server

pytestmark = pytest.mark.slow
HOSTILE = [
    "A :smile: B :material/home: C :red D www.evil.example E x@evil.example F https://evil.example/p?q=1",
    "[click me](https://evil.example)",
    "**Bad** [login here](https://evil.example/phish) :warning: www.evil.example",
    "G :red[alarm] H mailto:y@evil.example I WWW.EVIL.EXAMPLE :+1:",
]
SCRIPT = f"""
import streamlit as st
from ui.plain import md
for key, show in (("plain", md), ("raw", str)):  # raw: the same text unprotected, so the checks can fail
    with st.container(key=key):
        for text in {HOSTILE!r}:
            st.markdown(show(text))
"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    require_chromium()
    script = tmp_path_factory.mktemp("plain") / "plain_app.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with streamlit_server(str(script), env) as url:
        yield url


def _markup(page, key: str) -> dict:
    box = page.locator(f".st-key-{key}")
    return {"links": box.locator("a").count(), "icons": box.locator("span[role='img']").count(),
            "coloured": box.locator("span[style*='color']").count(), "emoji": "😄" in box.inner_text()
            or "⚠" in box.inner_text() or "👍" in box.inner_text(),
            "texts": [node.inner_text() for node in box.locator("[data-testid='stMarkdownContainer']").all()]}


def test_remote_text_renders_without_links_emoji_or_icons(page_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page()
        page.goto(page_url)
        expect(page.locator(".st-key-raw [data-testid='stMarkdownContainer']")).to_have_count(len(HOSTILE),
                                                                                           timeout=60_000)
        plain, raw = _markup(page, "plain"), _markup(page, "raw")
        browser.close()
    assert raw["links"] >= 5 and raw["icons"] and raw["emoji"]  # the unprotected text does turn into markup
    assert plain["links"] == plain["icons"] == plain["coloured"] == 0 and not plain["emoji"]
    assert [text.replace("\u2060", "") for text in plain["texts"]] == HOSTILE  # reads exactly as written
