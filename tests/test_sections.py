"""Regenerating one section: the schema-constrained call, SEO post-processing, the log row, failures."""

import pytest
from sqlmodel import Session, select

from core import config, sections
from core.assemble import build_content, build_product
from core.errors import ContentCraftError, InvalidOutputError, ProviderUnavailableError, ValidationFailedError
from core.hookspecs import hookimpl
from core.models import GenerationLog
from core.pipeline import Generator
from core.plugins import pm
from core.schemas import BlogDraft, ContentRequest, ProductDraft, ProductRequest
from tests.samples import blog_draft, product_draft

REQUEST = ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes", "flat feet"],
                         tone="friendly", length="short", language="en", sections=["Intro", "Buying tips"])
PRODUCT = ProductRequest(name="TrailFlex stability shoe", category="Shoes", language="de")


def _post() -> dict:
    return build_content(BlogDraft(**blog_draft()), REQUEST).model_dump(mode="json")


def _product() -> dict:
    return build_product(ProductDraft(**product_draft()), PRODUCT).model_dump(mode="json")


def _logs(engine):
    with Session(engine) as session:
        return session.exec(select(GenerationLog).order_by(GenerationLog.id)).all()


def test_title_is_regenerated_cleaned_and_logged(generator, fake, engine):
    fake.enqueue([{"title": "<b>Flat Feet?</b> Running Shoes That Help"}])
    result = sections.regenerate(generator, REQUEST, _post(), "title", "ana@example.com")
    assert result.updates == {"title": "Flat Feet? Running Shoes That Help"}
    assert (result.provider, result.model) == ("fake", "fake-model") and result.completion_tokens > 0
    call = fake.history[0]
    assert call["schema"]["required"] == ["title"] and set(call["schema"]["properties"]) == {"title"}
    prompt = call["messages"][-1]["content"]
    assert "the title" in prompt and "Running Shoes for Flat Feet: A Practical Buying Guide" in prompt
    assert "running shoes, flat feet" in prompt and "Tone: friendly" in prompt and '"title"' in prompt
    [row] = _logs(engine)
    assert (row.type, row.status, row.user, row.provider) == ("content", "succeeded", "ana@example.com", "fake")
    assert row.target == "title: Running shoes for flat feet" and row.tokens == row.prompt_tokens + row.completion_tokens > 0


def test_meta_is_fitted_to_search_limits_and_keeps_the_slug(generator, fake, engine):
    fake.enqueue([{"seo_title": "Running Shoes for Flat Feet: Everything You Need to Know Before Buying",
                   "meta_desc": "Choose running shoes for flat feet with confidence."}])
    post = _post()
    meta = sections.regenerate(generator, REQUEST, post, "meta", "u").updates["meta"]
    assert len(meta["seo_title"]) <= 60 and meta["seo_title"].startswith("Running Shoes for Flat Feet")
    # Too short on its own: the excerpt tops it up to 140–160 characters, as in the pipeline.
    assert 140 <= len(meta["meta_desc"]) <= 160 and meta["meta_desc"].startswith("Choose running shoes")
    assert meta["slug"] == post["meta"]["slug"]
    assert _logs(engine)[0].type == "seo" and "meta description of 140 to 160" in fake.history[0]["messages"][-1]["content"]


def test_body_is_sanitised_with_fresh_headings_and_asks_for_the_length(generator, fake):
    fake.enqueue([{"body_html": "<h1>Intro</h1><p onclick='x()'>Text.</p><script>alert(1)</script>"
                                "<h2>Buying tips</h2><p>More.</p>"}])
    result = sections.regenerate(generator, REQUEST, _post(), "body", "u")
    assert result.updates == {"body_html": "<h2>Intro</h2><p>Text.</p><h2>Buying tips</h2><p>More.</p>",
                              "headings": ["Intro", "Buying tips"]}
    prompt = fake.history[0]["messages"][-1]["content"]
    assert "About 400 words" in prompt and "Intro; Buying tips" in prompt and "Running shoes for flat feet limit" in prompt


def test_stream_chunks_reach_the_callback(generator, fake):
    fake.enqueue([{"excerpt": "Flat feet need firm support; here is how to find it."}])
    chunks = []
    result = sections.regenerate(generator, REQUEST, _post(), "excerpt", "u", on_chunk=chunks.append)
    assert result.updates["excerpt"].startswith("Flat feet need") and len(chunks) > 3
    assert fake.history[0]["stream"] is True


def test_malformed_answer_is_repaired_once(generator, fake):
    fake.enqueue(['{"title": ', {"title": "Fixed Title"}])
    assert sections.regenerate(generator, REQUEST, _post(), "title", "u").updates == {"title": "Fixed Title"}
    assert len(fake.history) == 2 and "could not be used" in fake.history[1]["messages"][-1]["content"]


def test_failure_is_raised_with_its_reason_and_logged(generator, fake, engine):
    fake.enqueue(["not json", {"wrong": "shape"}])
    with pytest.raises(InvalidOutputError, match="does not match the schema"):
        sections.regenerate(generator, REQUEST, _post(), "title", "u")
    [row] = _logs(engine)
    assert row.status == "failed" and "schema" in row.error and row.tokens > 0


def test_empty_after_cleaning_is_an_error(generator, fake):
    fake.enqueue([{"body_html": "<p><script>only()</script></p>"}])
    with pytest.raises(InvalidOutputError, match="empty after removing unsafe HTML"):
        sections.regenerate(generator, REQUEST, _post(), "body", "u")


def test_unknown_section_names_the_choices(generator, fake):
    with pytest.raises(ValidationFailedError, match="title, excerpt, meta, body"):
        sections.regenerate(generator, REQUEST, _post(), "slug", "u")
    assert fake.history == []


def test_falls_back_along_the_provider_chain(monkeypatch, engine, fake):
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "fake")
    monkeypatch.setenv("CONTENTCRAFT_FALLBACK", "fake2")
    config.get_settings.cache_clear()
    generator = Generator(config.get_settings(), engine)
    fake.enqueue([ProviderUnavailableError("fake is down"), {"title": "From the Fallback"}])
    result = sections.regenerate(generator, REQUEST, _post(), "title", "u")
    assert result.provider == "fake2" and result.updates == {"title": "From the Fallback"}
    assert _logs(engine)[0].provider == "fake2"


def test_hooks_can_add_instructions_and_refuse(generator, fake):
    class Voice:
        @hookimpl
        def prompt_instructions(self, request):
            return "Write like a calm coach."

    class Budget:
        @hookimpl
        def before_generate(self, request, user):
            if user == "over@example.com":
                raise ContentCraftError("Your budget is used up.")

    pm.register(Voice(), name="tests.voice")
    pm.register(Budget(), name="tests.budget")
    try:
        fake.enqueue([{"title": "Calm Title"}])
        sections.regenerate(generator, REQUEST, _post(), "title", "u")
        assert "Write like a calm coach." in fake.history[0]["messages"][-1]["content"]
        with pytest.raises(ContentCraftError, match="budget"):
            sections.regenerate(generator, REQUEST, _post(), "title", "over@example.com")
        assert len(fake.history) == 1
    finally:
        pm.unregister(name="tests.voice")
        pm.unregister(name="tests.budget")


def test_product_sections(generator, fake, engine):
    fake.enqueue([{"bullet_features": ["  Feste Zwischensohle ", "", "<i>Atmungsaktiv</i>"]},
                  {"image_alt_text": "Blauer Laufschuh " * 12},
                  {"description_html": "<h3>Details</h3><p>Stabil.</p><style>p{}</style>"}])
    product = _product()
    assert sections.regenerate(generator, PRODUCT, product, "bullets", "u").updates == {
        "bullet_features": ["Feste Zwischensohle", "Atmungsaktiv"]}
    alt = sections.regenerate(generator, PRODUCT, product, "alt_text", "u").updates["image_alt_text"]
    assert len(alt) <= 125 and alt.startswith("Blauer Laufschuh")
    description = sections.regenerate(generator, PRODUCT, product, "description", "u").updates
    assert description == {"description_html": "<h3>Details</h3><p>Stabil.</p>"}
    prompt = fake.history[0]["messages"][-1]["content"]
    assert "German" in prompt and "TrailFlex stability shoe" in prompt and "Firm midsole" in prompt
    assert {row.type for row in _logs(engine)} == {"product"}


def test_product_meta_uses_the_short_description_to_fill_up(generator, fake):
    fake.enqueue([{"seo_title": "TrailFlex", "meta_desc": "Stabiler Laufschuh."}])
    meta = sections.regenerate(generator, PRODUCT, _product(), "meta", "u").updates["meta"]
    assert 140 <= len(meta["meta_desc"]) <= 160 and meta["meta_desc"].startswith("Stabiler Laufschuh. A light")


@pytest.mark.slow
def test_real_embedded_model_regenerates_a_title(monkeypatch, engine):
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "local")
    monkeypatch.setenv("CONTENTCRAFT_MAX_TOKENS", "200")
    config.get_settings.cache_clear()
    result = sections.regenerate(Generator(config.get_settings(), engine), REQUEST, _post(), "title", "u")
    assert result.provider == "local" and 0 < len(result.updates["title"]) <= 200
    assert result.completion_tokens > 0 and _logs(engine)[0].status == "succeeded"
