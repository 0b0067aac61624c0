"""Long posts section by section: outline, one call per section with context, assembly, progress, cancel."""

import threading

import pytest
from sqlmodel import Session, select

from core import longform
from core.models import GenerationLog
from core.schemas import ContentRequest
from tests.samples import _SECTIONS, blog_draft, longform_replies


@pytest.fixture
def small_model(fake, monkeypatch):
    """The fake provider acting like the embedded model: long posts go section by section from the start."""
    monkeypatch.setattr(fake, "writes_long_posts", False)
    return fake


def _request(**overrides) -> ContentRequest:
    return ContentRequest(**{"topic": "Running shoes for flat feet", "keywords": ["running shoes"], **overrides})


def _logs(engine) -> list[GenerationLog]:
    with Session(engine) as session:
        return list(session.exec(select(GenerationLog)))


def test_small_model_writes_outline_then_each_section_with_context(generator, small_model, engine):
    small_model.enqueue(longform_replies(5))
    steps = []
    response = generator.generate(_request(), "ana", on_progress=lambda message, fraction: steps.append(message))
    assert response.status == "succeeded", response.warnings
    data = response.content
    assert data.outline == data.headings == list(_SECTIONS)[:5]
    assert data.body_html.count("<h2>") == 5 and data.title == "Running Shoes for Flat Feet: What Really Helps"
    assert "Writing section 3 of 5…" in steps and steps[0] == "Planning the outline…"
    third = small_model.history[3]["messages"][1]["content"]
    assert data.title in third and list(_SECTIONS)[4] in third  # the title and the whole outline
    assert "forefoot points to a high one" in small_model.history[2]["messages"][1]["content"]  # previous end
    assert small_model.history[1]["schema"] is None  # sections are plain text, never JSON
    [log] = _logs(engine)
    assert log.status == "succeeded" and log.prompt_tokens == 60 and log.tokens == response.prompt_tokens + \
        response.completion_tokens


def test_short_one_shot_answer_is_rewritten_section_by_section(generator, fake):
    fake.enqueue([blog_draft(body_html="<p>Far too short.</p>"), *longform_replies(5)])
    response = generator.generate(_request(), "ana")
    assert response.status == "succeeded" and len(response.content.headings) == 5
    assert fake.history[1]["schema"]["properties"]["outline"]["minItems"] == 5


def test_users_sections_are_the_outline(generator, small_model):
    sections = ["Why support matters", "Trying shoes on", "Looking after them"]
    small_model.enqueue([{"title": "Flat Feet, Happy Runs", "outline": ["x y", "y z", "z w"]},
                         *(_SECTIONS[h] for h in list(_SECTIONS)[:3])])
    response = generator.generate(_request(sections=sections, length="short"), "ana")
    assert response.content.headings == sections and response.content.title == "Flat Feet, Happy Runs"


def test_junk_outline_headings_are_named_from_the_section_text(generator, small_model):
    replies = longform_replies(3)
    replies[0]["outline"] = ["sectionTitleInfoEnumStringListOfJSONValue", "Stability features that help", "{x}"]
    small_model.enqueue([replies[0], replies[1], {"heading": "How flat feet change a stride"}, replies[2],
                         replies[3], {"heading": "Description"}])
    response = generator.generate(_request(length="short"), "ana")
    assert response.content.headings[:2] == ["How flat feet change a stride", "Stability features that help"]
    assert response.content.headings[2] == "Feet swell during the day and during"  # junk again: its first words


def test_cancel_stops_before_the_next_section_and_is_logged(generator, small_model, engine):
    small_model.enqueue(longform_replies(5))
    cancel = threading.Event()

    def progress(message, fraction):
        if message.startswith("Writing section 3"):
            cancel.set()

    response = generator.generate(_request(), "ana", on_progress=progress, cancel=cancel)
    assert response.status == "failed" and response.error.startswith("Cancelled")
    assert len(small_model.history) == 3 and _logs(engine)[-1].status == "failed"


def test_paragraphs_drop_repeats_markup_and_stop_near_the_share():
    seen = set()
    text = "## Heading\n\nOne sentence about shoes here. " * 3 + "\n\n" + " ".join(
        f"Sentence number {n} talks about arch support." for n in range(60))
    paragraphs = longform.paragraphs_of(text, 100, seen)
    joined = " ".join(paragraphs)
    assert joined.count("One sentence about shoes here.") == 1 and "#" not in joined
    assert 85 <= len(joined.split()) <= 115


def test_a_section_that_stops_short_gets_one_continuation(generator, small_model):
    replies = longform_replies(3)
    first = replies[1]
    opening = "Flat feet roll inward on landing. That is the whole story for many runners who start out."
    small_model.enqueue([replies[0], opening, first, replies[2], replies[3]])
    response = generator.generate(_request(length="short"), "ana")
    continuation = small_model.history[2]["messages"][1]["content"]
    assert "so far ends" in continuation and "who start out." in continuation
    assert len(small_model.history) == 5  # outline, 3 sections, 1 continuation: full sections need none
    body = response.content.body_html
    assert body.index("roll inward on landing") < body.index(first.split(".")[0][:30]) < body.index("<h2>", 1)


def test_section_budget_allows_for_how_many_tokens_a_word_takes_in_the_language(generator, small_model):
    budgets = {}
    for language in ("en", "de"):
        small_model.history.clear()
        small_model.enqueue(longform_replies(3))
        generator.generate(_request(length="short", language=language), "ana", use_cache=False, save=False)
        budgets[language] = small_model.history[1]["max_tokens"]
    assert budgets["de"] > budgets["en"] * 1.5  # German words take about twice the tokens of English ones


def test_sentences_that_echo_the_instructions_are_dropped():
    text = ("Good shoes grip wet rock well. Continue this section with about 80 more words, as one or two "
            "paragraphs. A light pack carries water and a jacket.")
    joined = " ".join(longform.paragraphs_of(text, 100, set()))
    assert "Continue this section" not in joined and "grip wet rock" in joined and "light pack" in joined
