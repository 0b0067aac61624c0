"""The Library: Edit and Revise saved items in the shared editor, only the actions one may take, remote status."""

import datetime as dt

import pytest

from core import auth, editing, workflow
from core.schemas import ContentRequest, ProductRequest
from core.wordpress.models import Publication, Site
from core import config
from core.db import engine_for
from tests.conftest import signed_in
from tests.samples import blog_draft, product_draft
from tests.net import APP_TIMEOUT

PAGE = "pages/library.py"


@pytest.fixture
def draft_id(generator, fake, make_user):
    writer = make_user("writer")
    fake.enqueue([blog_draft()])
    return generator.generate(ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes"]),
                              writer.email).item_id


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _labels(at) -> set[str]:
    return {b.label for b in at.button}


def _signed_in(engine, email: str):
    """The Library as an existing user (app_as makes a new one)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import signed_in

    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    engine = engine_for(config.get_settings().database_url)
    signed_in(at, engine, auth.get_user(engine, email))
    return at.run().switch_page(PAGE).run()


def _field(at, name):
    return next(w for w in [*at.text_input, *at.text_area] if w.key == f"library_f_{name}")


def test_writer_edits_own_draft_in_the_editor_and_saves_a_version(app_as, engine, draft_id):
    at = app_as("writer", email="writer2@example.com", page=PAGE)
    assert "Edit" not in _labels(at), "another writer's draft"
    at = app_as("editor", email="boss@example.com", page=PAGE)
    assert "Edit" in _labels(at), "editors edit anything"

    at = _signed_in(engine, "writer@example.com")  # the author themself
    _button(at, "Edit").click().run()
    assert not at.exception and _field(at, "title").value == "Running Shoes for Flat Feet: A Practical Buying Guide"
    assert any("SEO check" in s.value for s in at.subheader), "the Studio's editor, SEO panel and all"
    _field(at, "title").input("Flat Feet, Fast Miles").run()
    assert _field(at, "slug").value == "flat-feet-fast-miles" and _field(at, "seo_title").value == "Flat Feet, Fast Miles"
    at.button(key="library_save").click().run()
    assert not at.exception and any("Saved version 2 of #1" in s.value for s in at.success)
    saved = workflow.get_item(engine, draft_id).data_json
    assert saved["title"] == "Flat Feet, Fast Miles" and saved["meta"]["slug"] == "flat-feet-fast-miles"
    assert [v.created_by for v in workflow.versions(engine, draft_id)] == ["writer@example.com"] * 2


def test_rejected_item_is_revised_regenerated_and_resubmitted(app_as, engine, draft_id, fake, make_user):
    writer = auth.get_user(engine, "writer@example.com")
    editor = make_user("editor", "chief@example.com")
    workflow.transition(engine, writer, draft_id, "in_review")
    workflow.transition(engine, editor, draft_id, "rejected", "please rewrite the title")
    at = _signed_in(engine, "writer@example.com")
    assert {"Revise", "Submit for review"} <= _labels(at) and "Approve" not in _labels(at), [c.value for c in at.caption]
    _button(at, "Revise").click().run()
    assert any("please rewrite the title" in w.value for w in at.warning)
    fake.enqueue([{"title": "Flat Feet? These Running Shoes Fit"}])
    at.button(key="library_regen_title").click().run()
    assert not at.exception and _field(at, "title").value == "Flat Feet? These Running Shoes Fit"
    assert _field(at, "slug").value == "flat-feet-these-running-shoes-fit"
    at.button(key="library_save").click().run()
    assert workflow.versions(engine, draft_id)[-1].note.startswith("regenerated title; edited Title")
    _button(at, "Submit for review").click().run()
    assert not at.exception and workflow.get_item(engine, draft_id).status == "in_review"


def test_product_opens_in_the_product_editor(app_as, engine, generator, fake):
    fake.enqueue([product_draft()])
    item_id = generator.generate(ProductRequest(name="TrailFlex shoe", language="fa"), "editor@example.com").item_id
    at = app_as("editor", page=PAGE)
    _button(at, "Edit").click().run()
    assert not at.exception and _field(at, "short_description").value.startswith("A light stability shoe")
    styles = " ".join(h.proto.body for h in at.get("html"))
    assert ".st-key-library_f_title" in styles and "direction: rtl" in styles, "Persian fields run right to left"
    _field(at, "bullet_features").input("Firm midsole\nWide toe box").run()
    at.button(key="library_save").click().run()
    assert workflow.get_item(engine, item_id).data_json["bullet_features"] == ["Firm midsole", "Wide toe box"]


def test_hand_edited_slug_stays_when_the_title_changes():
    fields = {"title": "New title", "seo_title": "Old title", "slug": "old-title"}
    assert editing.follow_title(fields, "Old title", set()) == {"seo_title": "New title", "slug": "new-title"}
    assert editing.follow_title(fields, "Old title", {"slug", "seo_title"}) == {}
    assert editing.follow_title({**fields, "slug": "my-own-slug"}, "Old title", set()) == {"seo_title": "New title"}
    saved = {"title": "A title", "meta": {"slug": "custom"}}
    assert editing.set_by_hand(saved, ["saved", "edited Title, SEO title"]) == {"seo_title", "slug"}
    assert editing.set_by_hand(saved, ["regenerated SEO title and meta description"]) == {"slug"}


def test_writer_sees_no_actions_on_someone_elses_item(app_as, engine, draft_id):
    at = app_as("writer", email="other@example.com", page=PAGE)
    assert not {"Submit for review", "Approve", "Reject", "Edit", "Revise"} & _labels(at)
    assert not [t for t in at.text_input if t.key == f"library_comment_{draft_id}"], "only reviewers reject"


def _published(engine, item_id: int, **publication) -> None:
    """The item as sent to a site "blog": a Publication row with the given fields."""
    from core.db import session_scope

    with session_scope(engine) as session:
        site = Site(name="blog", base_url="https://blog.example.com", username="u", password_encrypted="x")
        session.add(site)
        session.flush()
        session.add(Publication(item_id=item_id, site_id=site.id, idempotency_key="k", state="published",
                                remote_id=7, **publication))


def test_library_shows_the_remote_status_and_link(app_as, engine, draft_id):
    editor = app_as("editor", page=PAGE)
    _published(engine, draft_id, url="https://blog.example.com/?p=7", remote_status="future",
               remote_date=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc))
    editor.run()
    shown = " ".join(m.value for m in editor.markdown)
    assert ("Scheduled for 1 Dec 2026 09:00 UTC on blog · [https:\u2060//blog.example.com/?p=7]"
            "(https://blog.example.com/?p=7)") in shown
    assert "Published ✓" not in str(editor._tree)


def test_remote_and_model_text_is_shown_as_plain_text(app_as, engine, draft_id):
    """Issue 12 item 17: a hostile remote link, status or model-written title never becomes markup."""
    from core.db import session_scope
    from core.models import ContentItem

    editor = app_as("editor", page=PAGE)
    _published(engine, draft_id, url="javascript:alert(1)", remote_status="**publish** :red[now]")
    with session_scope(engine) as session:
        item = session.get(ContentItem, draft_id)
        item.title = "![pixel](https://evil.example/p.gif) **Bold**"
        session.add(item)
    editor.run()
    assert not editor.exception
    shown = " ".join(m.value for m in editor.markdown)
    assert "](javascript" not in shown and "javascript:alert(1)" in shown.replace("\\", "").replace("\u2060", "")
    assert ":\u2060red\\[now\\]" in shown  # Streamlit's colour directive broken by an invisible joiner
    heading = " ".join(h.value for h in editor.subheader)
    assert "![pixel](" not in heading and "!\\[pixel\\]" in heading and "\\*\\*Bold\\*\\*" in heading
