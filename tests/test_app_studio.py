"""The Content Studio page, driven through Streamlit's AppTest with the fake provider."""

import pytest

from tests.samples import blog_draft


@pytest.fixture
def app(app_as):
    return app_as("writer")


def _fill(at, topic, language="en"):
    at.text_input(key="studio_topic").input(topic)
    at.text_input(key="studio_keywords").input("running shoes, flat feet")
    at.selectbox(key="studio_language").select(language)
    at.button(key="FormSubmitter:studio_form-Generate").click()
    at.run()


def test_studio_generates_and_shows_result(app, fake):
    fake.enqueue([blog_draft()])
    _fill(app, "Running shoes for flat feet")
    assert not app.exception and not app.error
    assert any("Running Shoes for Flat Feet" in h.value for h in app.header)
    assert any("Saved as draft #1" in s.value for s in app.success)
    assert fake.history[0]["stream"] is True
    assert 'dir="ltr"' in app.get("html")[0].proto.body


def test_studio_rtl_for_persian(app, fake):
    fake.enqueue([blog_draft(title="راهنمای خرید کفش دویدن", body_html="<h2>مقدمه</h2><p>متن</p>")])
    _fill(app, "راهنمای خرید کفش دویدن", language="fa")
    assert not app.exception
    assert 'dir="rtl"' in app.get("html")[0].proto.body


def test_studio_explains_invalid_input(app, fake):
    _fill(app, "Shoe")
    assert not app.exception and fake.history == []
    assert "Please fix the form" in app.error[0].value and "topic" in app.error[0].value


def test_studio_shows_failure_without_traceback(app, fake):
    fake.enqueue(["nonsense", "more nonsense"])
    _fill(app, "Running shoes for flat feet")
    assert not app.exception
    assert "Generation failed" in app.error[0].value and "Traceback" not in app.error[0].value
