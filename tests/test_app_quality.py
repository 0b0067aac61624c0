"""The Studio side of issue 13: length targets, weak-language notes, needs-review warnings, a fresh version."""

import pytest

from core import config
from core.language import weak_language_note
from tests.samples import blog_draft


def _fill(at, topic="Running shoes for flat feet", language="en"):
    at.text_input(key="studio_topic").input(topic)
    at.text_input(key="studio_keywords").input("running shoes")
    at.selectbox(key="studio_language").select(language)
    at.button(key="FormSubmitter:studio_form-Generate").click()
    at.run()


def test_length_choice_shows_the_word_target(app_as):
    at = app_as("writer", page="pages/studio.py")
    radio = at.radio(key="studio_length")
    assert radio.options == [
        "short (≈ 400 words)", "medium (≈ 800 words)", "long (≈ 1500 words)"]


def test_language_picker_notes_a_model_weak_in_that_language(app_as, monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_MODEL", "smollm2-135m-instruct")
    config.get_settings.cache_clear()
    at = app_as("writer", page="pages/studio.py")
    picker = at.selectbox(key="studio_language")
    assert picker.format_func("de").endswith("· weak model") and "weak" not in picker.format_func("en")
    assert any("poorly written by smollm2-135m-instruct" in c.value for c in at.caption)


def test_weak_language_note_only_for_known_models():
    assert "English" in weak_language_note("SmolLM2-135M-Instruct.Q4_1", "ja")
    assert weak_language_note("smollm2-135m-instruct", "en") is None
    assert weak_language_note("gpt-4o-mini", "ja") is None


def test_needs_review_is_shown_with_reasons_and_a_new_version_skips_the_cache(app_as, fake):
    at = app_as("writer", page="pages/studio.py")
    fake.enqueue([blog_draft(title="Blog post about [blog_name]")] * 2)
    _fill(at)
    assert not at.exception
    assert any("needs review" in w.value and "placeholder" in w.value for w in at.warning)
    fake.enqueue([blog_draft()])
    at.button(key="studio_new_version_button").click()
    at.run()
    assert not at.exception and len(fake.history) == 3
    assert any("Saved as draft #2" in s.value for s in at.success)


def test_library_shows_the_warnings_of_an_item_needing_review(app_as, generator, fake):
    from core.schemas import ContentRequest

    fake.enqueue([blog_draft(), blog_draft()])
    response = generator.generate(ContentRequest(topic="Running shoes for flat feet", language="de"), "x@example.com")
    assert response.status == "needs_review"
    at = app_as("editor", page="pages/library.py")
    assert not at.exception
    assert any("Written in English, German was asked." in w.value for w in at.warning)
    assert "Written in English" in at.dataframe[0].value["Warnings"].iloc[0]
