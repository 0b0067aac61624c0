"""The generation pipeline with the fake provider: parse, repair, SEO, cache, rate limit, fallback, log."""

import pytest
from sqlmodel import Session, select

from core.errors import InvalidOutputError, ProviderUnavailableError, RateLimitedError
from core.models import ContentItem, GenerationLog
from core.schemas import ContentRequest, ProductRequest
from tests.samples import LONG_BODY, blog_draft, longform_replies, product_draft


def _request(**overrides):
    values = {"topic": "Running shoes for flat feet", "keywords": ["running shoes", "flat feet"],
              "tone": "friendly", "length": "short", "language": "en"}
    values.update(overrides)
    return ContentRequest(**values)


def _logs(engine):
    with Session(engine) as session:
        return session.exec(select(GenerationLog).order_by(GenerationLog.id)).all()


def test_generates_valid_post_saves_item_and_logs(generator, fake, engine):
    fake.enqueue([blog_draft()])
    response = generator.generate(_request(), "ana@example.com")
    assert response.status == "succeeded", response.error
    data = response.content
    assert data.meta.slug == "running-shoes-for-flat-feet-a-practical-buying-guide"
    assert data.headings[:3] == ["Why flat feet need support", "What to look for", "Testing a pair"]
    assert data.schema_ld_json["@type"] == "BlogPosting" and data.schema_ld_json["inLanguage"] == "en"
    assert 140 <= len(data.meta.meta_desc) <= 160
    with Session(engine) as session:
        item = session.get(ContentItem, response.item_id)
    assert item.status == "draft" and item.author == "ana@example.com" and item.title == data.title
    [row] = _logs(engine)
    assert (row.status, row.type, row.provider, row.cache_hit) == ("succeeded", "content", "fake", False)
    assert row.tokens == row.prompt_tokens + row.completion_tokens > 0
    assert row.target == "Running shoes for flat feet" and row.language == "en" and row.tone == "friendly"


def test_prompt_carries_request_details(generator, fake):
    fake.enqueue([blog_draft()])
    generator.generate(_request(language="fa", sections=["Intro", "Buying tips"]), "u")
    prompt = fake.history[0]["messages"][-1]["content"]
    assert "Persian" in prompt and "running shoes, flat feet" in prompt and "Intro; Buying tips" in prompt
    assert fake.history[0]["schema"]["required"] == ["title", "excerpt", "body_html"]


def test_malformed_json_is_repaired_once(generator, fake):
    fake.enqueue(['{"title": "oops", ', blog_draft()])
    response = generator.generate(_request(), "u")
    assert response.status == "succeeded"
    assert len(fake.history) == 2
    assert "could not be used" in fake.history[1]["messages"][-1]["content"]


def test_still_invalid_after_repair_fails_with_reason(generator, fake, engine):
    fake.enqueue(["not json at all", {"title": "missing the rest"}] * 2)  # the gate's one retry fails too
    response = generator.generate(_request(), "u")
    assert len(fake.history) == 4 and "rejected" in fake.history[2]["messages"][1]["content"]
    assert response.status == "failed" and response.content is None
    assert "schema" in response.error and "body_html" in response.error
    assert response.item_id is None
    assert _logs(engine)[-1].status == "failed"


def test_short_meta_is_extended_from_excerpt_and_body(generator, fake):
    fake.enqueue([blog_draft(meta_desc="Too short.")])
    meta = generator.generate(_request(), "u").content.meta
    assert 140 <= len(meta.meta_desc) <= 160 and meta.meta_desc.startswith("Too short.")


def test_meta_is_regenerated_when_nothing_can_fill_it(generator, fake):
    tiny = blog_draft(meta_desc="", excerpt="Short.", body_html="<p>Tiny.</p>")
    fake.enqueue([tiny, {"meta_desc": "A" * 10 + " " + "b" * 140}])
    fake.enqueue(longform_replies(5))  # a tiny body is then written section by section
    response = generator.generate(_request(), "u")
    assert response.status == "succeeded", response.warnings
    assert fake.history[1]["schema"]["properties"]["meta_desc"]["minLength"] == 140


def test_script_tags_are_removed(generator, fake):
    fake.enqueue([blog_draft(body_html='<h2>Hi</h2><p onclick="x()">Text<script>alert(1)</script></p>' + LONG_BODY)])
    body = generator.generate(_request(), "u").content.body_html
    assert "<script" not in body and "onclick" not in body and "Text" in body


def test_cache_hit_skips_provider_and_is_logged(generator, fake, engine):
    fake.enqueue([blog_draft()])
    first = generator.generate(_request(), "u")
    second = generator.generate(_request(topic="  Running shoes for flat feet "), "u")
    assert len(fake.history) == 1
    assert second.cache_hit and second.content == first.content and second.item_id != first.item_id
    assert [r.cache_hit for r in _logs(engine)] == [False, True]
    assert _logs(engine)[1].tokens == 0


def test_cache_key_changes_with_brand_version(generator, fake):
    fake.enqueue([blog_draft(), blog_draft()])
    generator.generate(_request(), "u", brand_version=1)
    generator.generate(_request(), "u", brand_version=2)
    assert len(fake.history) == 2


def test_rate_limit_says_how_long_to_wait(settings, engine, fake, monkeypatch):
    from core.pipeline import Generator

    generator = Generator(settings.model_copy(update={"rate_limit": 2}), engine)
    fake.enqueue([blog_draft(), blog_draft()])
    for topic in ("First topic", "Second topic"):
        assert generator.generate(_request(topic=topic), "u").status == "succeeded"
    third = generator.generate(_request(topic="Third topic"), "u")
    assert third.status == "failed" and "2 generations per minute" in third.error and "Wait" in third.error
    fake.enqueue([blog_draft()])
    assert generator.generate(_request(topic="Other user"), "someone-else").status == "succeeded"


def test_fallback_to_next_provider_on_retryable_error(settings, engine, fake):
    from core.pipeline import Generator

    generator = Generator(settings.model_copy(update={"fallback": ["fake2"]}), engine)
    fake.enqueue([RateLimitedError("busy", 3), blog_draft()])
    response = generator.generate(_request(), "u")
    assert response.status == "succeeded" and response.provider == "fake2"
    assert [h["model"] for h in fake.history] == ["fake-model", "fake2-model"]
    assert _logs(engine)[-1].provider == "fake2"


def test_no_fallback_on_non_retryable_error(settings, engine, fake):
    from core.pipeline import Generator

    generator = Generator(settings.model_copy(update={"fallback": ["fake2"]}), engine)
    fake.enqueue([InvalidOutputError("bad"), ProviderUnavailableError("down")])
    response = generator.generate(_request(), "u")
    assert response.status == "failed"


def test_streaming_chunks_reach_callback(generator, fake):
    fake.enqueue([blog_draft()])
    chunks = []
    response = generator.generate(_request(), "u", on_chunk=chunks.append)
    assert len(chunks) > 5 and response.content.title in "".join(chunks).replace("\\", "")
    assert fake.history[0]["stream"] is True


def test_product_generation(generator, fake, engine):
    fake.enqueue([product_draft()])
    request = ProductRequest(name="TrailFlex", category="Shoes", features="Firm midsole; Mesh upper",
                             attributes={"color": "blue"})
    response = generator.generate(request, "u")
    assert response.status == "succeeded", response.error
    product = response.product
    assert product.schema_ld_json["@type"] == "Product" and product.schema_ld_json["category"] == "Shoes"
    assert product.meta.slug == "trailflex" and product.bullet_features == ["Firm midsole", "Breathable mesh"]
    assert "Firm midsole; Mesh upper" in fake.history[0]["messages"][-1]["content"]
    assert _logs(engine)[-1].type == "product"


def test_deeply_nested_reply_is_invalid_output_logged_not_recursion_error(generator, fake, engine):
    """Issue 12 item 12: a hostile nested reply stays in the error tree, with a log row."""
    from core.providers.base import MAX_JSON_DEPTH, json_depth, parse_json_object
    nested = '{"title": ' + "[" * 200_000 + "]" * 200_000 + "}"
    fake.enqueue([nested] * 6)  # the first try, the repair and any retry the pipeline allows
    response = generator.generate(_request(), "u")
    assert response.status == "failed" and "nested more than" in response.error
    assert _logs(engine)[-1].status == "failed"
    assert json_depth('{"a": "[[[[{{{{", "b": [[1]]}') == 3
    with pytest.raises(InvalidOutputError):
        parse_json_object('{"a": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}")


def test_runaway_reply_is_cut_and_refused(generator, fake, engine, monkeypatch):
    from core.providers import base
    monkeypatch.setattr(base, "MAX_REPLY_CHARS", 5_000)
    fake.enqueue([blog_draft(body_html="<p>" + "word " * 5_000 + "</p>")] * 6)
    chunks = []
    response = generator.generate(_request(), "u", on_chunk=chunks.append)
    assert response.status == "failed" and "over 5,000 characters" in response.error
    assert len("".join(chunks)) <= 5_000 + 7 * 2  # reading stopped at the bound


def test_trickling_provider_hits_the_total_deadline(settings):
    """Issue 12 item 10: CONTENTCRAFT_TIMEOUT bounds the whole call, not each read."""
    import time
    from core.errors import ProviderTimeoutError
    from core.providers.base import Provider, Usage

    class Trickle(Provider):
        name, default_model = "trickle", "t"

        def execute(self, messages, schema, stream, usage: Usage):
            for _ in range(1000):
                time.sleep(0.05)
                yield "x"

    provider = Trickle(settings.model_copy(update={"timeout": 0.3}))
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="did not finish within 0.3 s"):
        provider.complete([{"role": "user", "content": "hi"}], on_chunk=lambda chunk: None)
    assert time.monotonic() - started < 5  # 1000 reads of 50 ms would take 50 s
