"""The quality gate, the language check, the one retry, needs_review, and failures that are always logged."""

import pytest
from sqlmodel import Session, select

from core import quality
from core.hookspecs import hookimpl
from core.models import ContentItem, GenerationLog
from core.plugins import pm
from core.schemas import ContentRequest, ProductRequest
from tests.samples import LONG_BODY, blog_draft, product_draft

GERMAN_BODY = LONG_BODY.replace("How flat feet change your stride", "Wie Plattfüße den Schritt verändern")
GERMAN = ("Wenn das Fußgewölbe unter Last nachgibt, knickt der Knöchel nach innen und das Knie folgt ihm. "
          "Stabilitätsschuhe haben auf der Innenseite einen festeren Schaum, der diese Bewegung bremst. ")


def _request(**overrides) -> ContentRequest:
    return ContentRequest(**{"topic": "Running shoes for flat feet", "keywords": ["running shoes"], **overrides})


def _logs(engine) -> list[GenerationLog]:
    with Session(engine) as session:
        return list(session.exec(select(GenerationLog).order_by(GenerationLog.id)))


@pytest.mark.parametrize("title, code", [
    ("Blog post about [blog_name]", "placeholder"),
    ("Return a JSON object with these fields: 1. A compelling headline", "echo"),
    ("{ 'title': 'DIY shoes' + [", "fragment"),
    ("Lorem ipsum dolor sit amet", "placeholder"),
    ("Running shoes: TODO finish this headline", "placeholder"),
])
def test_gate_rejects_placeholders_prompt_echo_and_fragments(generator, fake, title, code):
    from core import assemble
    from core.schemas import BlogDraft

    data = assemble.build_content(BlogDraft.model_validate(blog_draft(title=title)), _request())
    assert code in {problem.code for problem in quality.check(data, _request()).problems}


def test_words_that_look_like_markers_in_other_languages_are_not_placeholders():
    from core import assemble
    from core.schemas import BlogDraft

    spanish = _request(language="es", topic="Zapatillas para pies planos")
    title = "Todo lo que necesitas saber sobre zapatillas para pies planos"
    data = assemble.build_content(BlogDraft.model_validate(blog_draft(title=title)), spanish)
    assert "placeholder" not in {problem.code for problem in quality.check(data, spanish).problems}


def test_gate_checks_length_headings_and_loops():
    from core import assemble
    from core.schemas import BlogDraft

    short = assemble.build_content(BlogDraft.model_validate(blog_draft(body_html="<p>Only a few words here.</p>")),
                                   _request())
    codes = {problem.code for problem in quality.check(short, _request(length="long")).problems}
    assert {"short", "headings"} <= codes
    looping = "<h2>A</h2><h2>B</h2><h2>C</h2>" + "<p>" + "the shoe is good and " * 300 + "</p>"
    loop = assemble.build_content(BlogDraft.model_validate(blog_draft(body_html=looping)), _request())
    assert "repetition" in {problem.code for problem in quality.check(loop, _request()).problems}
    assert quality.check(assemble.build_content(BlogDraft.model_validate(blog_draft()), _request()),
                         _request()).ok


def test_bad_first_answer_is_retried_once_with_a_firmer_instruction(generator, fake, engine):
    fake.enqueue([blog_draft(title="Blog post about [blog_name]"), blog_draft()])
    response = generator.generate(_request(), "ana")
    assert response.status == "succeeded" and response.attempts == 2 and response.warnings == []
    retry_prompt = fake.history[1]["messages"][1]["content"]
    assert "rejected" in retry_prompt and "[blog_name]" in retry_prompt
    assert [log.status for log in _logs(engine)] == ["succeeded"]
    assert response.prompt_tokens == 20  # both calls, in the one log row
    assert _logs(engine)[0].tokens == response.prompt_tokens + response.completion_tokens


def test_still_bad_after_retry_is_saved_as_needs_review_with_reasons(generator, fake, engine):
    fake.enqueue([blog_draft(title="Blog post about [blog_name]")] * 2)
    response = generator.generate(_request(), "ana")
    assert response.status == "needs_review" and response.item_id is not None
    assert any("placeholder" in warning for warning in response.warnings)
    with Session(engine) as session:
        assert session.get(ContentItem, response.item_id).warnings == response.warnings
    log = _logs(engine)[-1]
    assert log.status == "needs_review" and "placeholder" in log.error
    fake.enqueue([blog_draft()])
    again = generator.generate(_request(), "ana")  # a result needing review is never served from the cache
    assert not again.cache_hit and again.status == "succeeded"


def test_wrong_language_gets_a_firmer_retry_then_a_visible_warning(generator, fake, engine):
    fake.enqueue([blog_draft(), blog_draft()])
    response = generator.generate(_request(language="de"), "ana")
    assert "Write ONLY in German" in fake.history[1]["messages"][1]["content"]
    assert response.status == "needs_review" and response.detected_language == "en"
    assert "Written in English, German was asked." in response.warnings
    assert _logs(engine)[-1].detected_language == "en"


def test_right_language_after_retry_passes(generator, fake):
    german = blog_draft(title="Laufschuhe für Plattfüße richtig auswählen", excerpt=GERMAN,
                        body_html="".join(f"<h2>Teil {n}</h2><p>{GERMAN * 6}Abschnitt {n}.</p>" for n in range(1, 5)))
    fake.enqueue([blog_draft(), german])
    response = generator.generate(_request(language="de", length="short"), "ana")
    assert response.detected_language == "de" and "Written in" not in " ".join(response.warnings)


def test_empty_short_description_is_rebuilt_from_the_long_one(generator, fake):
    fake.enqueue([product_draft(short_description="<p> </p>")])
    response = generator.generate(ProductRequest(name="TrailFlex shoe"), "ana")
    assert response.status == "succeeded" and response.product.short_description.startswith("The TrailFlex")


def test_empty_field_fails_with_one_line_reason_and_a_log_row(generator, fake, engine):
    fake.enqueue([product_draft(short_description="<p> </p>", description_html="<p> </p>")] * 2)
    response = generator.generate(ProductRequest(name="TrailFlex shoe"), "ana")
    assert response.status == "failed" and "\n" not in response.error and "description" in response.error
    assert _logs(engine)[-1].status == "failed" and _logs(engine)[-1].error == response.error


def test_wrong_type_fails_with_one_line_reason_and_a_log_row(generator, fake, engine):
    fake.enqueue([blog_draft(title=["not", "a", "string"])] * 4)
    response = generator.generate(_request(), "ana")
    assert response.status == "failed" and "title" in response.error and "\n" not in response.error
    assert _logs(engine)[-1].status == "failed" and "title" in _logs(engine)[-1].error


class _BrokenHook:
    @hookimpl
    def generated_content(self, request, data):
        raise RuntimeError("/srv/secret/path exploded")


def test_exception_in_a_hook_becomes_a_logged_failure_without_internals(generator, fake, engine):
    pm.register(_BrokenHook(), name="tests.broken")
    try:
        fake.enqueue([blog_draft()])
        response = generator.generate(_request(), "ana")
    finally:
        pm.unregister(name="tests.broken")
    assert response.status == "failed" and "RuntimeError" in response.error
    assert "/srv/secret" not in response.error and "\n" not in response.error
    assert _logs(engine)[-1].status == "failed" and _logs(engine)[-1].error == response.error


def test_a_new_version_bypasses_the_cache(generator, fake):
    fake.enqueue([blog_draft(), blog_draft(title="Running Shoes for Flat Feet: Second Take")])
    first = generator.generate(_request(), "ana")
    fresh = generator.generate(_request(), "ana", use_cache=False)
    assert not fresh.cache_hit and fresh.content.title != first.content.title and len(fake.history) == 2


def test_analytics_counts_needs_review_and_wrong_language(generator, fake, engine):
    from core.analytics.filters import Filters
    from core.analytics.quality import quality_counts

    fake.enqueue([blog_draft()] * 3 + ["no json"] * 4)
    generator.generate(_request(language="de"), "ana")
    generator.generate(_request(), "ana")
    generator.generate(_request(topic="Another topic entirely"), "ana")
    assert quality_counts(engine, Filters()) == {"generations": 3, "needs_review": 1, "wrong_language": 1,
                                                 "failed": 1}
