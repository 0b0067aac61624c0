"""A real browser (Debian's Chromium via Playwright): setup from the logged link, then a session that
survives a reload and a server restart, keeps the deep link, and ends on sign-out."""

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.browser import CHROMIUM, ROOT, require_chromium
from tests.net import free_port, stop, wait_until

pytestmark = pytest.mark.slow
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# Generous waits on conditions, never fixed sleeps: a loaded CI machine runs a script in seconds, not milliseconds.
WAIT_MS = 90_000


def settled(page) -> None:
    """Wait until the app's script run is over (Streamlit marks its root with the script state)."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached", timeout=WAIT_MS)


def test_config_pins_the_address_and_allowed_hosts():
    from streamlit import config as streamlit_config

    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["address"] == "127.0.0.1" and server["allowedHosts"] == ["localhost", "127.0.0.1"]
    assert {"server.address", "server.allowedHosts"} <= set(streamlit_config._config_options_template)


class Server:
    """`streamlit run server.py` on a free port; stderr kept for the setup line."""

    def __init__(self, tmp_path: Path, **env):
        require_chromium()
        self.port, self.log = free_port(), tmp_path / "server.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
        self.env.update(CONTENTCRAFT_DATABASE_URL=f"sqlite:///{tmp_path / 'ui.db'}", CONTENTCRAFT_PROVIDER="local",
                        CONTENTCRAFT_SECRET_KEY=Fernet.generate_key().decode(), **env)
        self.url = f"http://127.0.0.1:{self.port}"
        self.start()

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(self.port),
                 "--browser.gatherUsageStats", "false"], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        wait_until(lambda: httpx.get(f"{self.url}/_stcore/health", timeout=5).text == "ok", self.process, "streamlit",
                   timeout=180)

    def stop(self):
        stop(self.process)  # a loaded machine can take a while to close the sessions and the worker


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def test_first_admin_only_with_the_logged_setup_link(tmp_path, browser):
    from playwright.sync_api import expect

    server = Server(tmp_path)
    try:
        page = browser.new_page()
        page.goto(server.url)
        expect(page.get_by_text("Welcome to ContentCraft")).to_be_visible(timeout=WAIT_MS)
        line = next(line for line in server.log.read_text().splitlines() if "ContentCraft setup" in line)
        link = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert link.startswith(f"http://127.0.0.1:{server.port}/?setup=")
        page.get_by_label("Email", exact=True).fill("boss@example.com")
        page.get_by_label("Password (at least 12 characters)").fill("correct horse")
        page.get_by_role("button", name="Create admin account").click()
        expect(page.get_by_text("setup token is not valid")).to_be_visible(timeout=WAIT_MS)
        page.goto(link)
        expect(page.get_by_label("Setup token")).to_have_value(link.rsplit("=", 1)[1], timeout=WAIT_MS)
        settled(page)  # typing during a run would be lost to its rerun
        page.get_by_label("Email", exact=True).fill("boss@example.com")
        page.get_by_label("Password (at least 12 characters)").fill("correct horse")
        page.get_by_role("button", name="Create admin account").click()
        expect(page.get_by_role("heading", name="Content Studio")).to_be_visible(timeout=WAIT_MS)
    finally:
        server.stop()


def test_session_survives_reload_and_restart_and_keeps_the_deep_link(tmp_path, browser):
    from playwright.sync_api import expect

    server = Server(tmp_path, CONTENTCRAFT_ADMIN_EMAIL="admin@example.com",
                    CONTENTCRAFT_ADMIN_PASSWORD="correct horse")
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{server.url}/library")
        expect(page.get_by_text("Sign in to ContentCraft")).to_be_visible(timeout=WAIT_MS)
        page.get_by_label("Email", exact=True).fill("admin@example.com")
        page.get_by_label("Password", exact=True).fill("correct horse")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Library")).to_be_visible(timeout=WAIT_MS)
        cookie = _session_cookie(context)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert page.evaluate("document.cookie").find("contentcraft_session") == -1  # invisible to scripts

        page.reload()
        expect(page.get_by_role("heading", name="Library")).to_be_visible(timeout=WAIT_MS)
        assert page.get_by_text("Page not found").count() == 0
        page.goto(f"{server.url}/studio")  # the first page has its own address too, not only the root
        expect(page.get_by_role("heading", name="Content Studio")).to_be_visible(timeout=WAIT_MS)
        settled(page)
        assert page.get_by_text("Page not found").count() == 0

        server.stop()
        server.start()
        page.goto(f"{server.url}/library")
        expect(page.get_by_role("heading", name="Library")).to_be_visible(timeout=WAIT_MS)
        assert page.get_by_text("Sign in to ContentCraft").count() == 0

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("Sign in to ContentCraft")).to_be_visible(timeout=WAIT_MS)
        page.reload()
        expect(page.get_by_text("Sign in to ContentCraft")).to_be_visible(timeout=WAIT_MS)
        assert page.get_by_text("Page not found").count() == 0
    finally:
        server.stop()


def _session_cookie(context, seconds: float = WAIT_MS / 1000) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # the cookie arrives from a fetch right after the sign-in rerun
        cookies = [c for c in context.cookies() if c["name"] == "contentcraft_session"]
        if cookies:
            return cookies[0]
        time.sleep(0.1)
    raise AssertionError("no session cookie was set")
