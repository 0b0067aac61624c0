"""Real browser (Debian's Chromium via Playwright): edit and revise from the Library, a WooCommerce export, RTL.

The dashboard runs as its own process (server.py, as `make run` starts it) on loopback with the embedded model; the tests put users and
items into its SQLite file with core's own functions, then act as a user would.
"""

import os
from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet

from core import auth, workflow
from core.assemble import build_content
from core.db import engine_for, session_scope, upgrade
from core.models import ContentItem, ContentVersion
from core.schemas import BlogDraft, ContentRequest
from tests.browser import CHROMIUM, require_chromium, streamlit_server
from tests.samples import blog_draft

pytestmark = pytest.mark.slow
PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    require_chromium()
    database = f"sqlite:///{tmp_path_factory.mktemp('editorial') / 'ui.db'}"
    upgrade(database)
    engine = engine_for(database)
    for role in ("writer", "editor"):
        auth.create_user(engine, email=f"{role}@example.com", password=PASSWORD, role=role)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
    env.update(CONTENTCRAFT_DATABASE_URL=database, CONTENTCRAFT_PROVIDER="local", CONTENTCRAFT_MAX_TOKENS="200",
               CONTENTCRAFT_SECRET_KEY=Fernet.generate_key().decode())
    with streamlit_server("server.py", env) as url:
        yield url, engine


def _item(engine, author: str, language: str = "en", **draft) -> int:
    """A generated blog post as the pipeline saves it (version 1, status draft)."""
    request = ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes"], language=language)
    data = build_content(BlogDraft(**blog_draft(**draft)), request).model_dump(mode="json")
    with session_scope(engine) as session:
        item = ContentItem(type="content", title=data["title"], language=language, author=author,
                           request_json=request.model_dump(mode="json"), data_json=data, provider="local")
        session.add(item)
        session.flush()
        session.add(ContentVersion(item_id=item.id, version=1, data_json=data, note="generated", created_by=author))
        return item.id


@contextmanager
def _browser(url: str, email: str):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside = []  # the favicon and everything else come from the dashboard itself
        page.on("request", lambda request: request.url.startswith((url, "data:", "blob:")) or outside.append(
            request.url))
        page.goto(url)
        expect(page.get_by_text("Sign in to ContentCraft")).to_be_visible(timeout=30_000)
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Content Studio")).to_be_visible(timeout=30_000)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "no automatic page list"
        try:
            yield page
            assert not outside, outside
            favicon = page.locator("link[rel='shortcut icon'], link[rel='icon']").first.get_attribute("href")
            assert favicon and not favicon.startswith("http") or favicon.startswith(url), favicon
        finally:
            browser.close()


def _open(page, name: str) -> None:
    from playwright.sync_api import expect

    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=30_000)


def test_revise_a_rejected_item_in_the_library(dashboard, tmp_path):
    from playwright.sync_api import expect

    url, engine = dashboard
    item_id = _item(engine, "writer@example.com")
    writer, editor = (auth.get_user(engine, f"{r}@example.com") for r in ("writer", "editor"))
    workflow.transition(engine, writer, item_id, "in_review")
    workflow.transition(engine, editor, item_id, "rejected", "The title promises too much")
    with _browser(url, "writer@example.com") as page:
        _open(page, "Library")
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        page.get_by_role("button", name="Revise").click()
        expect(page.get_by_text("The title promises too much")).to_be_visible(timeout=30_000)
        title = page.get_by_label("Title", exact=True)
        title.fill("Flat Feet, Fast Miles")
        title.press("Tab")
        expect(page.get_by_label("Slug", exact=True)).to_have_value("flat-feet-fast-miles", timeout=30_000)
        page.get_by_role("button", name="Regenerate excerpt").click()
        expect(page.get_by_text("New excerpt from local").or_(page.get_by_text("same excerpt"))).to_be_visible(
            timeout=240_000)
        page.get_by_role("button", name="Save new version").click()
        expect(page.get_by_text("Saved version 2")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(tmp_path / "revise.png"), full_page=True)
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_text("In review ·")).to_be_visible(timeout=30_000)
    saved = workflow.get_item(engine, item_id)
    assert saved.status == "in_review" and saved.data_json["meta"]["slug"] == "flat-feet-fast-miles"
    assert workflow.versions(engine, item_id)[-1].created_by == "writer@example.com"


def test_woocommerce_export_is_recognised_on_the_bulk_page(dashboard, tmp_path):
    from playwright.sync_api import expect

    from tests.test_bulk_woocommerce import woo_export

    url, _ = dashboard
    export = tmp_path / "wc-product-export-30-11-2026.csv"
    export.write_bytes(woo_export("de"))
    with _browser(url, "writer@example.com") as page:
        _open(page, "Bulk Generator")
        page.get_by_text("Product descriptions", exact=True).click()
        page.locator('input[type="file"]').set_input_files(str(export))
        expect(page.get_by_text("Recognised WooCommerce's product export (German column names)")).to_be_visible(
            timeout=30_000)
        expect(page.get_by_text("2 rows skipped (not products of their own)")).to_be_visible()
        expect(page.get_by_text("Attributes from: Attribut 1 Name, Attribut 1 Wert(e)")).to_be_visible()
        expect(page.get_by_role("button", name="Start job (4 rows)")).to_be_enabled()


def test_persian_fields_run_right_to_left(dashboard):
    from playwright.sync_api import expect

    url, engine = dashboard
    item_id = _item(engine, "editor@example.com", language="fa", title="راهنمای خرید کفش Nike.")
    direction = "el => [getComputedStyle(el).direction, getComputedStyle(el).unicodeBidi]"
    with _browser(url, "editor@example.com") as page:
        topic = page.locator(".st-key-studio_topic input")
        assert topic.evaluate(direction)[1] == "plaintext", "any field follows its text's direction"
        page.locator(".st-key-studio_language input").click()
        page.keyboard.type("Persian")
        page.keyboard.press("Enter")
        topic.fill("کفش")
        page.get_by_role("button", name="Generate").click()
        expect(page.get_by_text("The topic needs at least 5 characters")).to_be_visible(timeout=30_000)
        expect(topic).to_have_css("direction", "rtl", timeout=10_000)

        _open(page, "Library")
        heading = page.get_by_role("heading", name="راهنمای خرید کفش")
        expect(heading).to_contain_text("\u2068راهنمای خرید کفش Nike.\u2069")
        page.get_by_role("button", name="Edit").click()
        title = page.get_by_label("Title", exact=True)
        expect(title).to_have_value("راهنمای خرید کفش Nike.", timeout=30_000)
        assert title.evaluate(direction)[0] == "rtl"
        assert page.get_by_label("Slug", exact=True).evaluate(direction)[0] == "ltr"
    assert workflow.get_item(engine, item_id).language == "fa"


def test_a_job_started_elsewhere_joins_the_bulk_pages_picker(dashboard):
    from playwright.sync_api import expect

    from core.bulk.jobs import JobOptions
    from core.bulk.models import BulkJob

    url, engine = dashboard
    with _browser(url, "writer@example.com") as page:
        _open(page, "Bulk Generator")
        expect(page.get_by_text("No bulk jobs yet")).to_be_visible(timeout=30_000)
        with session_scope(engine) as session:  # as another dashboard, the API or the CLI would have done
            session.add(BulkJob(kind="blog", status="cancelled", created_by="writer@example.com", total=3,
                                source_name="spring-posts.csv", settings_json=JobOptions().model_dump(mode="json")))
        picker = page.get_by_role("combobox", name="Job")
        expect(picker).to_have_value("#1 · Blog posts · spring-posts.csv", timeout=20_000)  # no reload, no click
        expect(page.get_by_text("0 of 3 rows done · cancelled")).to_be_visible()
        expect(page.get_by_text("No bulk jobs yet")).to_have_count(0)


def test_resume_pressed_right_after_pause_resumes_the_job(dashboard):
    from datetime import timedelta

    from playwright.sync_api import expect

    from core.bulk import jobs
    from core.bulk.models import BulkItem, BulkJob
    from core.models import utcnow

    url, engine = dashboard
    with session_scope(engine) as session:  # rows not due for an hour: the job runs with no row under way
        job = BulkJob(kind="blog", status="paused", created_by="writer@example.com", total=2,
                      source_name="later.csv", settings_json=jobs.JobOptions(provider="local").model_dump(mode="json"))
        session.add(job)
        session.flush()
        job_id = job.id
        for row in (2, 3):
            session.add(BulkItem(job_id=job_id, row_number=row, input_json={"topic": f"Trail guide number {row}"},
                                 status="pending", not_before=utcnow() + timedelta(hours=1),
                                 idempotency_key=f"later-{row}"))
    with _browser(url, "writer@example.com") as page:
        _open(page, "Bulk Generator")
        pause, resume = page.get_by_role("button", name="Pause"), page.get_by_role("button", name="Resume")
        resume.click()
        expect(pause).to_be_enabled(timeout=30_000)
        page.wait_for_timeout(1500)  # the page has settled on the running job
        pause.click()
        expect(resume).to_be_enabled(timeout=30_000)
        resume.click()  # at once: the page is still redrawing after the pause
        expect(pause).to_be_enabled(timeout=30_000)
        page.wait_for_timeout(3000)
        assert jobs.get_job(engine, job_id).status in {"queued", "running"}, "the Resume click was lost"
        page.get_by_role("button", name="Cancel").click()
