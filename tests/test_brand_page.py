"""The Brand voice page through Streamlit's AppTest: create, add samples, analyse, train, edit, save, check."""

import pytest

from core.brand import profiles
from core.hookspecs import hookimpl
from core.plugins import pm
from tests.brand_corpus import passages

PAGE = "pages/brand.py"
VOICE = {"description": "Chatty, warm and personal: the writer talks to one runner as a friend.",
         "tone": "friendly", "rules_do": ["Speak to the reader as you", "Share your own mistakes"],
         "rules_dont": ["Don't lecture"], "preferred_words": ["honestly", "okay"], "banned_words": ["hereby"]}


@pytest.fixture
def page(app_as):
    return app_as("editor", page=PAGE)


def _create(at, name="Running blog", language="en"):
    at.text_input(key="brand_new_name").input(name)
    at.selectbox(key="brand_new_language").select(language)
    at.button(key="FormSubmitter:brand_new_form-Create profile").click()
    at.run()
    assert not at.exception, at.exception


def _paste(at, text):
    at.text_area(key="brand_paste_text").input(text)
    at.button(key="FormSubmitter:brand_paste_form-Add pasted samples").click()
    at.run()
    assert not at.exception, at.exception


def test_page_starts_empty_and_creates_a_profile(page, engine):
    assert any("No brand profiles yet" in i.value for i in page.info)
    _create(page)
    assert [p.name for p in profiles.list_profiles(engine)] == ["Running blog"]
    assert "Running blog · v1 · default" in page.selectbox(key="brand_selected").options


def test_page_adds_samples_and_shows_analysis(page, engine):
    _create(page)
    _paste(page, "\n---\n".join(passages("en", "blog")))
    stored = profiles.samples(engine, profiles.list_profiles(engine)[0].id)
    assert len(stored) == 4 and {s.language for s in stored} == {"en"}
    assert any("Added 4 samples" in s.value for s in page.success)
    labels = {m.label: m.value for m in page.metric}
    assert labels["Sentences"] == "38" and labels["Questions"] == "18%"
    assert page.get("plotly_chart")


def test_page_trains_edits_saves_and_checks(page, engine, fake):
    heard = []

    class Listen:
        @hookimpl
        def brand_trained(self, profile):
            heard.append(profile)

    listener = Listen()
    pm.register(listener)
    try:
        _create(page)
        _paste(page, "\n---\n".join(passages("en", "blog")))
        fake.enqueue([VOICE])
        page.button(key="brand_train").click()
        page.run()
        assert not page.exception and not page.error, page.error
        assert page.text_area(key="brand_f_description").value == VOICE["description"]
        assert page.selectbox(key="brand_f_sentence_length").value == "short"
        page.text_area(key="brand_f_banned_words").input("hereby\nsynergy")
        page.button(key="FormSubmitter:brand_voice_form-Save as new version").click()
        page.run()
    finally:
        pm.unregister(listener)
    assert not page.exception and not page.error
    profile = profiles.list_profiles(engine)[0]
    assert profile.version == 2 and profile.banned_words == ["hereby", "synergy"]
    assert profile.description == VOICE["description"] and "en" in profile.references
    assert heard and heard[0]["version"] == 2
    assert any("Saved version 2" in s.value for s in page.success)

    page.text_area(key="brand_check_text").input(passages("en", "blog", "heldout")[0])
    page.button(key="FormSubmitter:brand_check_form-Score it").click()
    page.run()
    assert not page.exception and page.warning[0].value.startswith("Too short to score")
    page.text_area(key="brand_check_text").input("\n\n".join(passages("en", "blog", "heldout")))
    page.button(key="FormSubmitter:brand_check_form-Score it").click()
    page.run()
    assert not page.exception
    consistency = next(m for m in page.metric if m.label == "Consistency")
    assert int(consistency.value.split("/")[0]) >= 90
    assert any("Reads like your own samples" in m.value for m in page.markdown)


def test_page_explains_training_without_samples(page, fake):
    _create(page)
    page.button(key="brand_train").click()
    page.run()
    assert not page.exception and fake.history == []
    assert "Add samples" in page.error[0].value


def test_writers_do_not_get_the_page(app_as):
    at = app_as("writer")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_check_keeps_the_capitals_of_names(page):
    _create(page)
    _paste(page, "\n---\n".join(passages("en", "blog")))
    page.button(key="FormSubmitter:brand_voice_form-Save as new version").click()
    page.run()
    page.text_area(key="brand_check_text").input(passages("en", "blog", "heldout")[0])
    [language] = [box for box in page.selectbox if box.key.startswith("brand_check_language_")]  # one per profile
    language.select("de")
    page.button(key="FormSubmitter:brand_check_form-Score it").click()
    page.run()
    assert not page.exception
    assert page.info[0].value.startswith("The profile has no German samples yet"), page.info[0].value


def test_sentence_upper_cases_only_the_first_letter():
    from ui.formats import sentence

    assert sentence("zu kurz zum Bewerten: 40 Wörter") == "Zu kurz zum Bewerten: 40 Wörter"
    assert sentence("") == ""
