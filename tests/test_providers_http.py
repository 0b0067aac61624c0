"""Each vendor provider through its official SDK against a local server speaking that vendor's wire format."""

import json

import pytest

from core import config
from core.errors import NeedsKeyError, ProviderTimeoutError, ProviderUnavailableError, RateLimitedError
from core.providers import get_provider
from core.schemas import BlogDraft, ContentRequest
from tests.samples import blog_draft
from tests.vendor_server import (Reply, VendorServer, anthropic_error, anthropic_message, anthropic_stream,
                                 ollama_chat, ollama_stream, openai_chat, openai_error, openai_stream)

SCHEMA = BlogDraft.model_json_schema()
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Write a post."}]
DRAFT_JSON = json.dumps(blog_draft())


@pytest.fixture
def server():
    server = VendorServer()
    yield server
    server.close()


def _provider(monkeypatch, name, env, **settings):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key, value in settings.items():
        monkeypatch.setenv(f"CONTENTCRAFT_{key.upper()}", str(value))
    config.get_settings.cache_clear()
    return get_provider(name, config.get_settings())


def _openai(monkeypatch, server, name="openai", **settings):
    env = {"OPENAI_BASE_URL" if name == "openai" else "CONTENTCRAFT_CUSTOM_BASE_URL": server.url + "/v1"}
    if name == "openai":
        env["OPENAI_API_KEY"] = "sk-test-not-real"
    return _provider(monkeypatch, name, env, **{"timeout": 2, "max_retries": 0, **settings})


def _anthropic(monkeypatch, server, **settings):
    env = {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "sk-ant-test"}
    return _provider(monkeypatch, "anthropic", env, **{"timeout": 2, "max_retries": 0, **settings})


def _ollama(monkeypatch, server, **settings):
    return _provider(monkeypatch, "ollama", {"OLLAMA_HOST": server.url}, **{"timeout": 2, **settings})


# --- OpenAI and custom ------------------------------------------------------------------------

def test_openai_success_sends_schema_and_counts_tokens(monkeypatch, server):
    server.enqueue(Reply(body=openai_chat(DRAFT_JSON, model="gpt-4o-mini-2024")))
    completion = _openai(monkeypatch, server).complete(MESSAGES, SCHEMA)
    assert completion.data["title"] == blog_draft()["title"]
    assert (completion.prompt_tokens, completion.completion_tokens, completion.model) == (50, 120, "gpt-4o-mini-2024")
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["authorization"] == "Bearer sk-test-not-real"
    assert sent["json"]["response_format"]["json_schema"]["schema"] == SCHEMA
    assert sent["json"]["messages"] == MESSAGES


def test_openai_streaming(monkeypatch, server):
    server.enqueue(Reply(sse=openai_stream(DRAFT_JSON)))
    chunks = []
    completion = _openai(monkeypatch, server).complete(MESSAGES, SCHEMA, on_chunk=chunks.append)
    assert len(chunks) > 3 and "".join(chunks) == DRAFT_JSON
    assert completion.data == blog_draft() and completion.completion_tokens == 99
    assert server.requests[0]["json"]["stream"] is True


def test_openai_429_retried_by_sdk_honouring_retry_after(monkeypatch, server):
    server.enqueue(Reply(429, {"error": {"message": "slow down", "type": "rate_limit"}}, headers={"retry-after": "0"}),
                   Reply(body=openai_chat(DRAFT_JSON)))
    completion = _openai(monkeypatch, server, max_retries=1).complete(MESSAGES, SCHEMA)
    assert completion.data and len(server.requests) == 2


def test_openai_429_exhausted_reports_retry_after(monkeypatch, server):
    server.enqueue(Reply(429, {"error": {"message": "slow down"}}, headers={"retry-after": "7"}))
    with pytest.raises(RateLimitedError) as caught:
        _openai(monkeypatch, server).complete(MESSAGES, SCHEMA)
    assert caught.value.retry_after == 7 and "Wait 7 s" in str(caught.value)


def test_openai_500_retried_then_unavailable(monkeypatch, server):
    server.enqueue(Reply(500, {"error": {"message": "boom"}}), Reply(503, {"error": {"message": "boom"}}))
    with pytest.raises(ProviderUnavailableError, match="server error"):
        _openai(monkeypatch, server, max_retries=1).complete(MESSAGES, SCHEMA)
    assert len(server.requests) == 2


def test_openai_timeout(monkeypatch, server):
    server.enqueue(Reply(body=openai_chat(DRAFT_JSON), delay=1.5))
    with pytest.raises(ProviderTimeoutError, match="CONTENTCRAFT_TIMEOUT"):
        _openai(monkeypatch, server, timeout=0.3).complete(MESSAGES, SCHEMA)


@pytest.mark.parametrize("make", [_openai, _anthropic, _ollama])
def test_malformed_http_body_is_unavailable(monkeypatch, server, make):
    server.enqueue(Reply(raw=b'{"id": "chatcmpl-1", "choices": [ broken'))
    with pytest.raises(ProviderUnavailableError, match="malformed response"):
        make(monkeypatch, server).complete(MESSAGES, SCHEMA)


def test_openai_bad_key_tells_what_to_fix(monkeypatch, server):
    server.enqueue(Reply(401, {"error": {"message": "Incorrect API key"}}))
    with pytest.raises(NeedsKeyError, match="OPENAI_API_KEY"):
        _openai(monkeypatch, server).complete(MESSAGES, SCHEMA)


def test_a_refusal_quotes_the_vendors_reason_cut_short(monkeypatch, server):
    from core.errors import ContentCraftError

    server.enqueue(Reply(404, openai_error("model_not_found", "The model `gpt-9` does not exist.\x07")))
    with pytest.raises(ContentCraftError, match=r"openai refused the request \(404: “The model `gpt-9` does not "
                                                r"exist\. ”\); check the model name"):
        _openai(monkeypatch, server).complete(MESSAGES, SCHEMA)
    server.enqueue(Reply(400, anthropic_error("invalid_request_error", "prompt is too long: " + "x" * 500)))
    with pytest.raises(ContentCraftError, match="anthropic refused the request") as caught:
        _anthropic(monkeypatch, server).complete(MESSAGES, SCHEMA)
    assert "prompt is too long" in str(caught.value) and "x" * 170 in str(caught.value)
    assert "x" * 200 not in str(caught.value) and "…”" in str(caught.value)
    server.enqueue(Reply(400, {"detail": "no reason in a shape we know"}))
    with pytest.raises(ContentCraftError, match=r"refused the request \(400\); check"):
        _openai(monkeypatch, server).complete(MESSAGES, SCHEMA)


def test_openai_without_key_says_how_to_set_it(monkeypatch):
    provider = _provider(monkeypatch, "openai", {})
    with pytest.raises(NeedsKeyError, match="set OPENAI_API_KEY"):
        provider.complete(MESSAGES, SCHEMA)


def test_custom_needs_no_key_and_uses_json_object_schema(monkeypatch, server):
    server.enqueue(Reply(body=openai_chat(DRAFT_JSON, model="local-model")))
    completion = _openai(monkeypatch, server, name="custom").complete(MESSAGES, SCHEMA)
    assert completion.provider == "custom" and completion.data
    assert server.requests[0]["json"]["response_format"] == {"type": "json_object", "schema": SCHEMA}


def test_custom_never_receives_the_openai_key(monkeypatch, server):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key")
    server.enqueue(Reply(body=openai_chat(DRAFT_JSON)), Reply(body=openai_chat(DRAFT_JSON)))
    _openai(monkeypatch, server, name="custom").complete(MESSAGES, SCHEMA)
    monkeypatch.setenv("CONTENTCRAFT_CUSTOM_API_KEY", "custom-server-key")
    _openai(monkeypatch, server, name="custom").complete(MESSAGES, SCHEMA)
    sent = [request["headers"].get("authorization") for request in server.requests]
    assert sent == ["Bearer not-needed", "Bearer custom-server-key"]


def test_custom_and_openai_do_not_share_an_address(monkeypatch, server):
    with pytest.raises(NeedsKeyError, match="CONTENTCRAFT_CUSTOM_BASE_URL"):  # OPENAI_BASE_URL is openai's alone
        _provider(monkeypatch, "custom", {"OPENAI_BASE_URL": server.url + "/v1"}).complete(MESSAGES, SCHEMA)
    monkeypatch.delenv("OPENAI_BASE_URL")
    openai_provider = _provider(monkeypatch, "openai", {"CONTENTCRAFT_CUSTOM_BASE_URL": server.url + "/v1",
                                                        "OPENAI_API_KEY": "sk-test-not-real"})
    assert openai_provider.host() == "api.openai.com" and openai_provider.client.base_url.host == "api.openai.com"
    assert server.requests == []


def test_log_row_records_the_host(monkeypatch, server, engine):
    from sqlmodel import select

    from core.db import session_scope
    from core.models import GenerationLog
    from core.pipeline import Generator

    provider = _openai(monkeypatch, server, name="custom", provider="custom")
    server.enqueue(Reply(body=openai_chat(DRAFT_JSON)))
    Generator(provider.settings, engine).generate(ContentRequest(topic="Running shoes for flat feet"), "u")
    with session_scope(engine) as session:
        assert session.exec(select(GenerationLog.host)).one() == server.url.split("//")[1]


def test_malformed_model_json_is_repaired_through_the_pipeline(monkeypatch, server, engine):
    from core.pipeline import Generator

    provider = _openai(monkeypatch, server, provider="openai")
    server.enqueue(Reply(body=openai_chat('{"title": "Broken", "excerpt": ')), Reply(body=openai_chat(DRAFT_JSON)))
    request = ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes"])
    response = Generator(provider.settings, engine).generate(request, "u")
    assert response.status == "succeeded" and response.provider == "openai"
    assert "could not be used" in server.requests[1]["json"]["messages"][-1]["content"]


# --- Anthropic --------------------------------------------------------------------------------

def test_anthropic_tool_use_success(monkeypatch, server):
    server.enqueue(Reply(body=anthropic_message(blog_draft())))
    completion = _anthropic(monkeypatch, server).complete(MESSAGES, SCHEMA)
    assert completion.data == blog_draft()
    assert (completion.prompt_tokens, completion.completion_tokens) == (60, 140)
    sent = server.requests[0]
    assert sent["path"] == "/v1/messages" and sent["headers"]["authorization"] == "Bearer sk-ant-test"
    assert sent["json"]["system"] == "Be brief." and sent["json"]["messages"] == MESSAGES[1:]
    assert sent["json"]["tool_choice"] == {"type": "tool", "name": "emit_content"}
    assert sent["json"]["tools"][0]["input_schema"] == SCHEMA


def test_anthropic_streaming_input_json_deltas(monkeypatch, server):
    server.enqueue(Reply(sse=anthropic_stream(DRAFT_JSON)))
    chunks = []
    completion = _anthropic(monkeypatch, server).complete(MESSAGES, SCHEMA, on_chunk=chunks.append)
    assert "".join(chunks) == DRAFT_JSON and completion.data == blog_draft()
    assert completion.completion_tokens == 140


def test_anthropic_429_with_retry_after(monkeypatch, server):
    server.enqueue(Reply(429, anthropic_error("rate_limit_error"), headers={"retry-after": "12"}))
    with pytest.raises(RateLimitedError) as caught:
        _anthropic(monkeypatch, server).complete(MESSAGES, SCHEMA)
    assert caught.value.retry_after == 12


def test_anthropic_overloaded_retried_by_sdk(monkeypatch, server):
    server.enqueue(Reply(529, anthropic_error("overloaded_error"), headers={"retry-after": "0"}),
                   Reply(body=anthropic_message(blog_draft())))
    assert _anthropic(monkeypatch, server, max_retries=1).complete(MESSAGES, SCHEMA).data
    assert len(server.requests) == 2


def test_anthropic_500_and_timeout(monkeypatch, server):
    server.enqueue(Reply(500, anthropic_error("api_error")))
    with pytest.raises(ProviderUnavailableError):
        _anthropic(monkeypatch, server).complete(MESSAGES, SCHEMA)
    server.enqueue(Reply(body=anthropic_message(blog_draft()), delay=1.5))
    with pytest.raises(ProviderTimeoutError):
        _anthropic(monkeypatch, server, timeout=0.3).complete(MESSAGES, SCHEMA)


def test_anthropic_malformed_tool_json_gives_parse_error(monkeypatch, server):
    server.enqueue(Reply(sse=anthropic_stream('{"title": "x", "body_html": ')))
    completion = _anthropic(monkeypatch, server).complete(MESSAGES, SCHEMA, on_chunk=lambda c: None)
    assert completion.data is None and "JSON" in completion.parse_error


# --- Ollama -----------------------------------------------------------------------------------

def test_ollama_success_sends_schema_as_format(monkeypatch, server):
    server.enqueue(Reply(body=ollama_chat(DRAFT_JSON)))
    completion = _ollama(monkeypatch, server).complete(MESSAGES, SCHEMA)
    assert completion.data == blog_draft() and (completion.prompt_tokens, completion.completion_tokens) == (40, 110)
    sent = server.requests[0]
    assert sent["path"] == "/api/chat" and sent["json"]["format"] == SCHEMA and sent["json"]["stream"] is False


def test_ollama_streaming_ndjson(monkeypatch, server):
    server.enqueue(Reply(ndjson=ollama_stream(DRAFT_JSON)))
    chunks = []
    completion = _ollama(monkeypatch, server).complete(MESSAGES, SCHEMA, on_chunk=chunks.append)
    assert "".join(chunks) == DRAFT_JSON and completion.completion_tokens == 110


def test_ollama_errors(monkeypatch, server):
    provider = _ollama(monkeypatch, server, timeout=0.3)
    server.enqueue(Reply(429, {"error": "too many requests"}))
    with pytest.raises(RateLimitedError):
        provider.complete(MESSAGES, SCHEMA)
    server.enqueue(Reply(500, {"error": "model crashed"}))
    with pytest.raises(ProviderUnavailableError, match="model crashed"):
        provider.complete(MESSAGES, SCHEMA)
    server.enqueue(Reply(body=ollama_chat(DRAFT_JSON), delay=1.5))
    with pytest.raises(ProviderTimeoutError):
        provider.complete(MESSAGES, SCHEMA)


def test_ollama_server_down(monkeypatch):
    provider = _provider(monkeypatch, "ollama", {"OLLAMA_HOST": "http://127.0.0.1:9"}, timeout=1, max_retries=0)
    with pytest.raises(ProviderUnavailableError, match="ollama serve"):
        provider.complete(MESSAGES, SCHEMA)
