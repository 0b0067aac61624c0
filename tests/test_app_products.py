"""The Product Writer page, driven through Streamlit's AppTest with the fake provider."""

import pytest

from core import workflow
from tests.samples import META, product_draft

PAGE = "pages/products.py"


@pytest.fixture
def app(app_as):
    return app_as("writer", page=PAGE)


def _fill(at, name="TrailFlex stability running shoe", language="en", attributes="Colour: blue\nWeight: 250 g"):
    at.text_input(key="products_name").input(name)
    at.text_input(key="products_category").input("Running shoes")
    at.text_area(key="products_features").input("Firm midsole\nBreathable mesh")
    at.text_area(key="products_attributes").input(attributes)
    at.text_input(key="products_audience").input("runners with flat feet")
    at.selectbox(key="products_language").select(language)
    at.button(key="FormSubmitter:products_form-Write product copy").click()
    at.run()


def _generated(at, fake, **overrides):
    fake.enqueue([product_draft(**overrides)])
    _fill(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _field(at, name):
    key = f"products_f_{name}"
    return next(w for w in [*at.text_input, *at.text_area] if w.key == key)


def _preview(at) -> str:
    return at.get("html")[0].proto.body


def test_product_writer_is_in_the_navigation_for_writers(app):
    assert not app.exception and app.title[0].value == "Product Writer"


def test_generates_every_product_field(app, fake, engine):
    _generated(app, fake)
    assert any("Saved as draft #1" in s.value for s in app.success)
    prompt = fake.history[0]["messages"][-1]["content"]
    assert "Colour: blue; Weight: 250 g" in prompt and "Firm midsole; Breathable mesh" in prompt
    assert "runners with flat feet" in prompt and "Tone: persuasive" in prompt
    assert _field(app, "title").value == "TrailFlex Stability Running Shoe"
    assert _field(app, "bullet_features").value == "Firm midsole\nBreathable mesh"
    assert _field(app, "image_alt_text").label == "Image alt text · 46/125"
    assert _field(app, "meta_desc").label == f"Meta description · {len(META)} of 140–160 (✓)"
    assert '"@type": "Product"' in _field(app, "schema_ld_json").value
    assert "<li>Breathable mesh</li>" in _preview(app) and 'dir="ltr"' in _preview(app)
    assert workflow.get_item(engine, 1).type == "product"


def test_edit_and_save_a_new_version(app, fake, engine):
    _generated(app, fake)
    _field(app, "bullet_features").input("Firm midsole\nBreathable mesh\nWide toe box")
    _field(app, "description_html").input("<p>Steady on every run.</p><script>x()</script>")
    app.run()
    app.button(key="products_save").click()
    app.run()
    assert not app.exception and not app.error
    [_, latest] = workflow.versions(engine, 1)
    assert latest.data_json["bullet_features"][-1] == "Wide toe box"
    assert latest.data_json["description_html"] == "<p>Steady on every run.</p>"
    assert latest.note == "edited Long description, Feature bullets"


def test_regenerate_alt_text_and_bullets(app, fake):
    _generated(app, fake)
    fake.enqueue([{"image_alt_text": "Side view of the blue TrailFlex shoe on a trail"}])
    app.button(key="products_regen_alt_text").click()
    app.run()
    assert _field(app, "image_alt_text").value == "Side view of the blue TrailFlex shoe on a trail"
    fake.enqueue([{"bullet_features": ["Stable on rough ground", "Light"]}])
    app.button(key="products_regen_bullets").click()
    app.run()
    assert not app.exception and _field(app, "bullet_features").value == "Stable on rough ground\nLight"
    assert fake.history[-1]["schema"]["required"] == ["bullet_features"]


def test_rtl_for_arabic(app, fake):
    fake.enqueue([product_draft(title="حذاء جري", description_html="<p>حذاء مريح.</p>")])
    _fill(app, name="حذاء جري ثابت", language="ar")
    assert not app.exception
    assert 'dir="rtl"' in _preview(app) and 'lang="ar"' in _preview(app)
    assert "Osman" in "\n".join(m.value for m in app.markdown)


def test_bad_attributes_are_explained(app, fake):
    _fill(app, attributes="Colour blue")
    assert not app.exception and fake.history == []
    assert "Attributes, line 1" in app.error[0].value


def test_failure_is_friendly(app, fake):
    fake.enqueue(["nonsense", "more nonsense"])
    _fill(app)
    assert not app.exception
    assert "Generation failed" in app.error[0].value and "Traceback" not in app.error[0].value


def test_failed_section_regeneration_is_friendly(app, fake):
    _generated(app, fake)
    fake.enqueue([{"description_html": "<p><script>x()</script></p>"}])
    app.button(key="products_regen_description").click()
    app.run()
    assert not app.exception and "empty after removing unsafe HTML" in app.error[0].value
    assert _field(app, "description_html").value.startswith("<p>The TrailFlex")
