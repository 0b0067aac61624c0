"""The Content Studio page, driven through Streamlit's AppTest with the fake provider."""

import pytest

from core import workflow
from core.auth import get_user
from core.errors import PermissionDeniedError
from core.schemas import ContentRequest
from tests.samples import META, PERSIAN_BODY, blog_draft


@pytest.fixture
def app(app_as):
    return app_as("writer")


def _fill(at, topic, language="en", keywords="running shoes, flat feet"):
    at.text_input(key="studio_topic").input(topic)
    at.text_input(key="studio_keywords").input(keywords)
    at.selectbox(key="studio_language").select(language)
    at.button(key="FormSubmitter:studio_form-Generate").click()
    at.run()


def _generated(at, fake, **overrides):
    fake.enqueue([blog_draft(**overrides)])
    _fill(at, "Running shoes for flat feet")
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _field(at, name):
    key = f"studio_f_{name}"
    return next(w for w in [*at.text_input, *at.text_area] if w.key == key)


def _preview(at) -> str:
    return at.get("html")[0].proto.body


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_studio_generates_and_shows_every_field(app, fake):
    _generated(app, fake)
    assert any("Saved as draft #1" in s.value for s in app.success)
    assert fake.history[0]["stream"] is False  # progress labels while writing, never the raw JSON
    assert _field(app, "title").value == "Running Shoes for Flat Feet: A Practical Buying Guide"
    assert _field(app, "slug").value == "running-shoes-for-flat-feet-a-practical-buying-guide"
    assert _field(app, "headings").value.startswith("Why flat feet need support\nWhat to look for\nTesting a pair\n")
    assert '"@type": "BlogPosting"' in _field(app, "schema_ld_json").value
    assert _field(app, "seo_title").label == "SEO title · 42/60"
    assert _field(app, "meta_desc").label == f"Meta description · {len(META)} of 140–160 (✓)"
    preview = _preview(app)
    assert 'dir="ltr"' in preview and "Running Shoes for Flat Feet: A Practical Buying Guide" in preview


def test_seo_panel_shows_figures_for_the_text(app, fake):
    _generated(app, fake)
    _field(app, "body_html").input("<h2>Running shoes</h2><p>Running shoes for flat feet help. They cost money.</p>")
    app.run()
    panel = _markdown(app)
    assert "SEO title: 42/60 characters (good)" in panel
    assert f"Meta description: {len(META)} characters, 140–160 wanted (good)" in panel
    assert "Length: 11 of 400 words (3%, too short)" in panel
    assert "Readability: " in panel and "Flesch reading ease" in panel
    # 11 words, "running shoes" twice and "flat feet" once; headings are the body's own.
    table = next(frame.value for frame in app.dataframe if "Density" in frame.value.columns)
    assert table.to_dict("records") == [
        {"Keyword": "running shoes", "Title": "✓", "1st paragraph": "✓", "Headings": "✓", "Uses": 2,
         "Density": "18.2 % (too high)"},
        {"Keyword": "flat feet", "Title": "✓", "1st paragraph": "✓", "Headings": "✗", "Uses": 1,
         "Density": "9.1 % (too high)"}]
    assert any("“running shoes” density is too high (18.2 %)." in c.value for c in app.caption)


def test_edit_and_save_makes_a_new_version(app, fake, engine):
    _generated(app, fake)
    _field(app, "title").input("Flat Feet, Happy Runs")
    _field(app, "slug").input("Flat Feet Happy Runs")
    app.run()
    app.button(key="studio_save").click()
    app.run()
    assert not app.exception and not app.error
    assert any("Saved version 2 of #1" in s.value for s in app.success)
    versions = workflow.versions(engine, 1)
    assert [v.version for v in versions] == [1, 2] and versions[1].note == "edited Title, SEO title, Slug, JSON-LD"
    saved = versions[1].data_json
    assert saved["meta"]["seo_title"] == "Flat Feet, Happy Runs", "the SEO title follows the title"
    assert saved["title"] == "Flat Feet, Happy Runs" and saved["meta"]["slug"] == "flat-feet-happy-runs"
    assert saved["schema_ld_json"]["headline"] == "Flat Feet, Happy Runs"
    assert workflow.get_item(engine, 1).title == "Flat Feet, Happy Runs"
    assert _field(app, "slug").value == "flat-feet-happy-runs"  # the editor shows what was stored
    app.button(key="studio_save").click()
    app.run()
    assert any("Nothing has changed" in i.value for i in app.info) and len(workflow.versions(engine, 1)) == 2


def test_invalid_edit_is_explained_and_not_saved(app, fake, engine):
    _generated(app, fake)
    _field(app, "meta_desc").input("Too short to show in search results.")
    _field(app, "schema_ld_json").input('{"@type": "BlogPosting", }')
    app.run()
    assert "needs more" in _field(app, "meta_desc").label
    app.button(key="studio_save").click()
    app.run()
    assert not app.exception
    assert "JSON-LD is not valid JSON" in app.error[0].value and "Traceback" not in app.error[0].value
    assert len(workflow.versions(engine, 1)) == 1


def test_regenerate_a_section_then_save(app, fake, engine):
    _generated(app, fake)
    fake.enqueue([{"title": "Running Shoes That Love Flat Feet"}])
    app.button(key="studio_regen_title").click()
    app.run()
    assert not app.exception and not app.error
    assert _field(app, "title").value == "Running Shoes That Love Flat Feet"
    assert fake.history[-1]["schema"]["required"] == ["title"]
    assert any("New title from fake / fake-model" in i.value for i in app.info)
    app.button(key="studio_save").click()
    app.run()
    [_, latest] = workflow.versions(engine, 1)
    assert latest.data_json["title"] == "Running Shoes That Love Flat Feet"
    assert latest.note == "regenerated title; edited Title, SEO title, Slug, JSON-LD"
    assert latest.data_json["meta"]["slug"] == "running-shoes-that-love-flat-feet", "the slug followed the title"


def test_regenerate_body_updates_headings_and_preview(app, fake):
    _generated(app, fake)
    fake.enqueue([{"body_html": "<h2>Arch support</h2><p>Running shoes for flat feet need a firm arch.</p>"}])
    app.button(key="studio_regen_body").click()
    app.run()
    assert not app.exception
    assert _field(app, "headings").value == "Arch support"
    assert "need a firm arch" in _preview(app)


def test_regenerate_meta_fills_both_fields(app, fake):
    _generated(app, fake)
    fake.enqueue([{"seo_title": "Flat Feet? The Running Shoes to Buy", "meta_desc": META[::-1].strip()}])
    app.button(key="studio_regen_meta").click()
    app.run()
    assert _field(app, "seo_title").value == "Flat Feet? The Running Shoes to Buy"
    assert 140 <= len(_field(app, "meta_desc").value) <= 160


def test_regenerating_the_same_value_says_so(app, fake, engine):
    _generated(app, fake)
    fake.enqueue([{"title": "Running Shoes for Flat Feet: A Practical Buying Guide"}])
    app.button(key="studio_regen_title").click()
    app.run()
    assert any("came back with the same title" in i.value for i in app.info)
    app.button(key="studio_save").click()
    app.run()
    assert any("Nothing has changed" in i.value for i in app.info) and len(workflow.versions(engine, 1)) == 1


def test_failed_regeneration_is_friendly_and_keeps_the_field(app, fake):
    _generated(app, fake)
    fake.enqueue(["no json", "still no json"])
    app.button(key="studio_regen_excerpt").click()
    app.run()
    assert not app.exception
    assert "did not answer with a JSON object" in app.error[0].value and "Traceback" not in app.error[0].value
    assert _field(app, "excerpt").value.startswith("Flat feet need the right support")


def test_studio_rtl_for_persian(app, fake):
    fake.enqueue([blog_draft(title="راهنمای خرید کفش دویدن", excerpt="راهنمای انتخاب کفش برای کف پای صاف.",
                             body_html=PERSIAN_BODY)])
    _fill(app, "راهنمای خرید کفش دویدن", language="fa", keywords="کفش دویدن")
    assert not app.exception
    assert 'dir="rtl"' in _preview(app) and 'lang="fa"' in _preview(app)
    assert "Readability: No readability formula exists for this language" in _markdown(app)


def test_studio_explains_invalid_input(app, fake):
    _fill(app, "Shoe")
    assert not app.exception and fake.history == []
    assert app.error[0].value == "Please fix the form: The topic needs at least 5 characters."


def test_studio_limits_keywords_to_ten(app, fake):
    _fill(app, "Running shoes for flat feet", keywords=",".join(f"kw{i}" for i in range(11)))
    assert fake.history == [] and app.error[0].value == "Please fix the form: Give at most 10 keywords (you gave 11)."


def test_studio_shows_failure_without_traceback(app, fake):
    fake.enqueue(["nonsense", "more nonsense"])
    _fill(app, "Running shoes for flat feet")
    assert not app.exception
    assert "Generation failed" in app.error[0].value and "Traceback" not in app.error[0].value


def test_saving_after_submitting_for_review_is_refused(app, fake, engine):
    _generated(app, fake)
    item = workflow.get_item(engine, 1)
    assert (item.author, item.status) == ("writer@example.com", "draft")
    workflow.transition(engine, get_user(engine, "writer@example.com"), 1, "in_review")
    _field(app, "title").input("Sneaky change")
    app.run()
    app.button(key="studio_save").click()
    app.run()
    assert not app.exception
    assert "cannot edit any" in app.error[0].value and len(workflow.versions(engine, 1)) == 1


def test_writer_cannot_save_edits_to_someone_elses_item(generator, fake, engine, make_user):
    fake.enqueue([blog_draft()])
    request = ContentRequest(topic="Running shoes for flat feet", keywords=["flat feet"])
    item_id = generator.generate(request, "ana@example.com").item_id
    ana, bob, editor = make_user("writer", "ana@example.com"), make_user("writer", "bob@example.com"), make_user("editor")
    data = {**workflow.get_item(engine, item_id).data_json, "title": "Bob was here"}
    with pytest.raises(PermissionDeniedError, match="writer"):
        workflow.save_edit(engine, bob, item_id, data)
    assert len(workflow.versions(engine, item_id)) == 1
    assert workflow.save_edit(engine, ana, item_id, data).version == 2
    assert workflow.save_edit(engine, editor, item_id, data, "copy-edit").created_by == "editor@example.com"


def test_brand_profiles_are_offered(app_as, fake, engine):
    profiles = pytest.importorskip("core.brand.profiles")
    at = app_as("editor")
    profiles.create_profile(engine, "editor@example.com", "Calm Coach")
    at.run()
    assert "Calm Coach" in at.selectbox(key="studio_brand").options
    assert not at.exception


def test_external_images_are_warned_about_and_kept_only_when_ticked(app, fake, engine):
    """Issue 12 item 17: the preview and the saved body drop a tracker image until the editor keeps it."""
    tracker = '<p><img src="https://tracker.example/p.gif?u=ana" alt="pixel"></p>'
    _generated(app, fake)
    _field(app, "body_html").input(_field(app, "body_html").value + tracker)
    app.run()
    assert "tracker.example" not in _preview(app)
    assert any("Removed 1 external image (tracker.example)" in w.value.replace("\\", "") for w in app.warning)
    app.button(key="studio_save").click()
    app.run()
    assert "tracker.example" not in workflow.get_item(engine, 1).data_json["body_html"]
    assert any("Removed 1 external image" in s.value for s in app.success)

    app.checkbox(key="studio_keep_images").check()
    _field(app, "body_html").input(_field(app, "body_html").value + tracker)  # saving removed it from the field
    app.run()
    assert "tracker.example" in _preview(app) and not any("external image" in w.value for w in app.warning)
    app.button(key="studio_save").click()
    app.run()
    item = workflow.get_item(engine, 1)
    assert "tracker.example" in item.data_json["body_html"] and item.request_json["keep_external_images"] is True
