"""Answers cut off at the token limit: every vendor's stop reason is read, retried once with a larger
budget, recorded on the log row, and reported as a token-limit problem (not malformed JSON)."""

import json

import pytest
from sqlmodel import Session, select

from core import config
from core.db import engine_for, upgrade
from core.models import GenerationLog
from core.pipeline import Generator
from core.providers import get_provider
from core.schemas import BlogDraft, ContentRequest
from tests.samples import blog_draft
from tests.vendor_server import (Reply, VendorServer, anthropic_message, anthropic_stream, ollama_chat,
                                 ollama_stream, openai_chat, openai_stream)

SCHEMA = BlogDraft.model_json_schema()
MESSAGES = [{"role": "user", "content": "Write a post."}]
FULL = json.dumps(blog_draft())
CUT = FULL[:len(FULL) // 2]


@pytest.fixture
def server():
    server = VendorServer()
    yield server
    server.close()


def _env(monkeypatch, **env):
    for key, value in {"CONTENTCRAFT_MAX_RETRIES": 0, "CONTENTCRAFT_TIMEOUT": 5, **env}.items():
        monkeypatch.setenv(key, str(value))
    config.get_settings.cache_clear()
    return config.get_settings()


def _vendor_env(name: str, url: str) -> dict:
    return {"openai": {"OPENAI_BASE_URL": url + "/v1", "OPENAI_API_KEY": "sk-test-not-real"},
            "anthropic": {"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "sk-ant-test"},
            "ollama": {"OLLAMA_HOST": url}}[name]


CUT_REPLIES = {
    ("openai", False): lambda: Reply(body=openai_chat(CUT, finish_reason="length")),
    ("openai", True): lambda: Reply(sse=openai_stream(CUT, finish_reason="length")),
    ("anthropic", False): lambda: Reply(body=anthropic_message({"title": "Half"}, stop_reason="max_tokens")),
    ("anthropic", True): lambda: Reply(sse=anthropic_stream('{"title": "Half"}', stop_reason="max_tokens")),
    ("ollama", False): lambda: Reply(body=ollama_chat(CUT, done_reason="length")),
    ("ollama", True): lambda: Reply(ndjson=ollama_stream(CUT, done_reason="length")),
}
FULL_REPLIES = {
    "openai": lambda: Reply(body=openai_chat(FULL)),
    "anthropic": lambda: Reply(body=anthropic_message(blog_draft())),
    "ollama": lambda: Reply(body=ollama_chat(FULL)),
}


@pytest.mark.parametrize("name,stream", list(CUT_REPLIES))
def test_every_vendor_reports_its_stop_reason(monkeypatch, server, name, stream):
    server.enqueue(CUT_REPLIES[name, stream](), FULL_REPLIES[name]())
    provider = get_provider(name, _env(monkeypatch, **_vendor_env(name, server.url)))
    on_chunk = (lambda chunk: None) if stream else None
    assert provider.complete(MESSAGES, SCHEMA, on_chunk=on_chunk).finish_reason == "length"
    assert provider.complete(MESSAGES, SCHEMA).finish_reason == "stop"


def _generator(monkeypatch, name: str, url: str) -> Generator:
    settings = _env(monkeypatch, CONTENTCRAFT_PROVIDER=name, **_vendor_env(name, url))
    upgrade(settings.database_url)
    return Generator(settings, engine_for(settings.database_url))


def _budget(request: dict, name: str) -> int:
    body = request["json"]
    return body["options"]["num_predict"] if name == "ollama" else body["max_tokens"]


def _log(generator) -> GenerationLog:
    with Session(generator.engine) as session:
        return session.exec(select(GenerationLog).order_by(GenerationLog.id.desc())).first()


@pytest.mark.parametrize("name", ["openai", "anthropic", "ollama"])
def test_a_cut_answer_is_retried_once_with_twice_the_budget(monkeypatch, server, name):
    server.enqueue(CUT_REPLIES[name, False](), FULL_REPLIES[name]())
    generator = _generator(monkeypatch, name, server.url)
    response = generator.generate(ContentRequest(topic="Running shoes for flat feet"), "ana")
    assert response.status == "succeeded", response.error
    assert [_budget(r, name) for r in server.requests] == [2048, 4096]
    assert server.requests[0]["json"]["messages"] == server.requests[1]["json"]["messages"], "a retry, not a repair"
    log = _log(generator)
    assert log.truncated and log.status == "succeeded"


@pytest.mark.parametrize("name", ["openai", "anthropic", "ollama"])
def test_cut_twice_is_a_token_limit_error_not_malformed_json(monkeypatch, server, name):
    server.enqueue(CUT_REPLIES[name, False](), CUT_REPLIES[name, False](), FULL_REPLIES[name]())
    generator = _generator(monkeypatch, name, server.url)
    response = generator.generate(ContentRequest(topic="Marathon training for beginners"), "ana")
    assert response.status == "failed" and response.error_kind == "truncated"
    assert ("The answer hit the token limit (CONTENTCRAFT_MAX_TOKENS=2048): raise it or choose a shorter length"
            in response.error)
    assert "malformed" not in response.error and len(server.requests) == 2
    log = _log(generator)
    assert log.truncated and log.status == "failed" and "token limit" in log.error


def test_an_answer_that_is_complete_is_not_marked_truncated(monkeypatch, server):
    server.enqueue(FULL_REPLIES["openai"]())
    generator = _generator(monkeypatch, "openai", server.url)
    assert generator.generate(ContentRequest(topic="Trail running basics"), "ana").status == "succeeded"
    assert not _log(generator).truncated and len(server.requests) == 1
