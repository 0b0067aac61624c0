"""Real browser (Debian's Chromium via Playwright): the dashboard in Persian is mirrored, in German it is not.

Nothing here reads translated text (the catalogues may not be compiled): it finds fields by their widget keys
and asserts direction, layout and overflow, with screenshots kept in the test's temp dir.
"""

from contextlib import contextmanager

import pytest

from core import auth
from core.identity import preferences
from tests.test_browser_editorial import CHROMIUM, PASSWORD, _item, dashboard  # noqa: F401 (the fixture)

pytestmark = pytest.mark.slow
LAYOUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const sidebar = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
  const root = document.documentElement;
  return {dir: root.dir, lang: root.lang, main: getComputedStyle(main).direction,
          app: getComputedStyle(document.querySelector('.stApp')).direction,
          sidebarRight: sidebar.left > main.getBoundingClientRect().left,
          overflow: [root.scrollWidth - root.clientWidth, main.scrollWidth - main.clientWidth]};
}"""

# The sidebar's box, its text still to be seen (hit by the pointer where it is drawn) and the form it may cover.
SIDEBAR = """() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const walker = document.createTreeWalker(sidebar, NodeFilter.SHOW_TEXT);
  const seen = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (r.width > 0 && x >= 0 && x < innerWidth && y >= 0 && y < innerHeight
          && sidebar.contains(document.elementFromPoint(x, y))) seen.push(node.textContent.trim());
    }
  }
  const box = sidebar.getBoundingClientRect(), root = document.documentElement;
  return {collapsed: sidebar.dataset.collapsed, left: box.left, right: box.right, width: box.width,
          viewport: innerWidth, seen, overflow: root.scrollWidth - root.clientWidth};
}"""


@contextmanager
def _signed_in(url: str, email: str, locale: str, width: int = 1400, height: int = 1000):
    """A browser whose Accept-Language is locale's, signed in as email (fields found by key, not by label)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
            page.goto(url)
            page.locator(".st-key-signin_email input").fill(email, timeout=30_000)
            page.locator(".st-key-signin_password input").fill(PASSWORD)
            page.locator('[data-testid="stFormSubmitButton"] button').click()
            expect(page.locator(".st-key-studio_topic input")).to_be_visible(timeout=30_000)
            yield page
        finally:
            browser.close()


def _layout(page, direction: str) -> dict:
    """The document's layout once the app has settled in direction."""
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("dir", direction, timeout=30_000)
    page.wait_for_timeout(500)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=60_000)  # the rerun has finished
    return page.evaluate(LAYOUT)


def _open(page, path: str, ready: str) -> None:
    from playwright.sync_api import expect

    links = page.locator('[data-testid="stSidebar"] a')
    (links.and_(page.locator(f'a[href$="{path}"]')) if path else links.first).click()  # "": the Studio
    expect(page.locator(ready).first).to_be_visible(timeout=30_000)


def _pick(page, key: str, typed: str) -> None:
    """Choose an option of a selectbox by typing it, as a user would."""
    page.locator(f".st-key-{key} input").click()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")


def test_studio_and_library_in_persian_are_mirrored(dashboard, tmp_path):
    from playwright.sync_api import expect

    url, engine = dashboard
    persian = _item(engine, "writer@example.com", language="fa", title="راهنمای خرید کفش Nike.")
    english = _item(engine, "writer@example.com", language="en")
    with _signed_in(url, "writer@example.com", "fa-IR") as page:  # Accept-Language: fa-IR
        studio = _layout(page, "rtl")
        page.screenshot(path=str(tmp_path / "studio-fa.png"), full_page=True)
        assert studio["lang"] == "fa" and studio["main"] == studio["app"] == "rtl", studio
        assert studio["sidebarRight"], "the sidebar moves to the right"
        assert max(studio["overflow"]) <= 0, f"horizontal overflow: {studio}"

        _open(page, "library", ".st-key-library_open")
        _pick(page, "library_open", f"#{persian}")
        expect(page.locator('div[dir="rtl"][lang="fa"]')).to_be_visible(timeout=30_000)
        library = _layout(page, "rtl")
        page.screenshot(path=str(tmp_path / "library-fa.png"), full_page=True)
        assert library["main"] == "rtl" and library["sidebarRight"] and max(library["overflow"]) <= 0, library
        _pick(page, "library_open", f"#{english}")
        content = page.locator('div[dir="ltr"][lang="en"]')  # English content keeps its direction
        expect(content).to_be_visible(timeout=30_000)
        assert content.evaluate("el => getComputedStyle(el).direction") == "ltr"
        assert max(_layout(page, "rtl")["overflow"]) <= 0


def test_german_is_left_to_right_after_persian(dashboard, tmp_path):
    from playwright.sync_api import expect

    url, engine = dashboard
    persian = _item(engine, "editor@example.com", language="fa", title="راهنمای خرید کفش")
    preferences.set_language(engine, auth.get_user(engine, "editor@example.com"), "fa")
    with _signed_in(url, "editor@example.com", "en-US") as page:  # the saved choice beats the browser's
        assert _layout(page, "rtl")["sidebarRight"]
        for path, ready in (("products", ".st-key-products_name"), ("bulk", ".st-key-bulk_kind"),
                            ("brand", ".st-key-brand_new_name"), ("analytics", ".st-key-analytics_preset"),
                            ("api_tokens", ".st-key-tokens_name"), ("", ".st-key-studio_topic")):
            _open(page, path, ready)
            layout = _layout(page, "rtl")
            assert layout["main"] == "rtl" and max(layout["overflow"]) <= 0, (path, layout)
        _pick(page, "sidebar_language", "Deutsch")
        german = _layout(page, "ltr")
        page.screenshot(path=str(tmp_path / "studio-de.png"), full_page=True)
        assert german["lang"] == "de" and german["main"] == german["app"] == "ltr", german
        assert not german["sidebarRight"] and max(german["overflow"]) <= 0, german
        assert page.locator(".st-key-studio_length input:checked").count() == 1, "choices survive the switch"
        _open(page, "library", ".st-key-library_open")
        _pick(page, "library_open", f"#{persian}")
        content = page.locator('div[dir="rtl"][lang="fa"]')  # Persian content stays right to left
        expect(content).to_be_visible(timeout=30_000)
        assert content.evaluate("el => getComputedStyle(el).direction") == "rtl"
        assert _layout(page, "ltr")["main"] == "ltr"
    assert auth.get_user(engine, "editor@example.com").language == "de"


def test_narrow_persian_sidebar_hides_off_the_right_edge_and_opens_there(dashboard, tmp_path):
    from playwright.sync_api import expect

    url, _engine = dashboard
    with _signed_in(url, "writer@example.com", "fa-IR", width=420, height=900) as page:
        _layout(page, "rtl")
        closed = page.evaluate(SIDEBAR)
        page.screenshot(path=str(tmp_path / "narrow-fa.png"), full_page=True)
        assert closed["collapsed"] == "true", "a phone-wide window starts with the sidebar collapsed"
        assert closed["width"] == 0 or closed["left"] >= closed["viewport"] or closed["right"] <= 0, closed
        assert not closed["seen"], f"collapsed sidebar text over the form: {closed}"
        assert closed["overflow"] <= 0, closed

        page.locator('[data-testid="stExpandSidebarButton"]').click()
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "false")
        page.wait_for_timeout(600)  # Streamlit's 300 ms slide
        opened = page.evaluate(SIDEBAR)
        page.screenshot(path=str(tmp_path / "narrow-fa-open.png"))
        assert opened["width"] > 0 and abs(opened["right"] - opened["viewport"]) <= 1, f"opens from the right: {opened}"
        assert opened["left"] > 0 and opened["seen"] and opened["overflow"] <= 0, opened
        expect(page.locator('[data-testid="stSidebar"] a').first).to_be_in_viewport()
