"""A real browser (Debian's Chromium via Playwright) signs in and generates with the embedded model."""

import os
import shutil

import pytest

from tests.browser import CHROMIUM, ROOT, require_chromium, streamlit_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    require_chromium()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
    env.update(CONTENTCRAFT_DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('ui') / 'ui.db'}",
               CONTENTCRAFT_ADMIN_EMAIL="admin@example.com", CONTENTCRAFT_ADMIN_PASSWORD="correct horse",
               CONTENTCRAFT_PROVIDER="local", CONTENTCRAFT_MAX_TOKENS="600")
    with streamlit_server("app.py", env) as url:
        yield url


def test_sign_in_and_generate_offline(dashboard, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(dashboard)
        expect(page.get_by_text("Sign in to ContentCraft")).to_be_visible(timeout=30_000)
        page.get_by_label("Email", exact=True).fill("admin@example.com")
        page.get_by_label("Password", exact=True).fill("correct horse")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Content Studio")).to_be_visible(timeout=30_000)
        page.get_by_label("Topic").fill("How to choose running shoes for flat feet")
        page.get_by_label("Keywords").fill("running shoes, flat feet")
        page.get_by_role("button", name="Generate").click()
        expect(page.get_by_text("Saved as draft")).to_be_visible(timeout=240_000)
        title = page.locator("h2").first.inner_text()
        page.screenshot(path=str(tmp_path / "studio.png"), full_page=True)
        shutil.copy(tmp_path / "studio.png", ROOT / "data" / "last-browser-smoke.png")
        browser.close()
    assert len(title.strip()) > 5
