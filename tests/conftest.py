"""Shared fixtures: an isolated database and settings per test, and a scriptable fake provider."""

import json
from collections.abc import Iterator

import pytest

from core import config
from core.db import engine_for, upgrade
from core.hookspecs import hookimpl
from core.plugins import pm
from core.providers import Provider, Usage
from core.providers import _instances as provider_instances
from tests.net import APP_TIMEOUT

VENDOR_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST")


class FakeProvider(Provider):
    """Answers with queued replies (text, dicts as JSON, or exceptions to raise); records every call."""

    name = "fake"
    default_model = "fake-model"
    queue: list = []
    history: list = []

    @classmethod
    def enqueue(cls, replies: list) -> None:
        cls.queue.extend(replies)

    def execute(self, messages, schema, stream, usage: Usage) -> Iterator[str]:
        FakeProvider.history.append({"messages": messages, "schema": schema, "stream": stream, "model": self.model,
                                     "max_tokens": self.settings.max_tokens})
        if not FakeProvider.queue:
            raise AssertionError("FakeProvider called with an empty queue")
        reply = FakeProvider.queue.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        usage.prompt_tokens, usage.completion_tokens = 10, max(1, len(text) // 4)
        if stream:
            yield from (text[i:i + 7] for i in range(0, len(text), 7))
        else:
            yield text


class SecondFakeProvider(FakeProvider):
    """Another fake sharing the same queue, to test the fallback chain."""

    name = "fake2"
    default_model = "fake2-model"


class _FakePlugin:
    @hookimpl
    def register_providers(self, register):
        register(FakeProvider)
        register(SecondFakeProvider)


@pytest.fixture
def stop_bulk_workers():
    """Stop the in-process bulk worker after the test (its lanes outlive run_job)."""
    from core.bulk.worker import stop_all

    yield
    stop_all()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point every user path and setting at a temp directory; start with clean provider state."""
    for name in VENDOR_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("CONTENTCRAFT_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(config, "SECRETS_FILE", tmp_path / "secrets.toml")
    monkeypatch.setattr("core.wordpress.secrets.KEY_FILE", tmp_path / "secret.key")  # never the repo's key
    monkeypatch.setenv("CONTENTCRAFT_DATABASE_URL", f"sqlite:///{tmp_path / 'test.db'}")
    config.get_settings.cache_clear()
    provider_instances.clear()
    FakeProvider.queue.clear()
    FakeProvider.history.clear()
    plugin = _FakePlugin()
    pm.register(plugin, name="tests.fake")
    yield
    pm.unregister(name="tests.fake")
    config.get_settings.cache_clear()
    provider_instances.clear()


@pytest.fixture
def fake() -> type[FakeProvider]:
    """The fake provider class: call fake.enqueue([...]) and read fake.history."""
    return FakeProvider


@pytest.fixture
def settings(monkeypatch):
    """Settings using the fake provider, a tiny cache TTL and the default rate limit."""
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "fake")
    config.get_settings.cache_clear()
    return config.get_settings()


@pytest.fixture
def engine(settings):
    """A migrated temp SQLite database."""
    upgrade(settings.database_url)
    return engine_for(settings.database_url)


@pytest.fixture
def generator(settings, engine):
    """A pipeline bound to the fake provider and the temp database; a bulk worker it started is stopped after."""
    from core.bulk import durable
    from core.pipeline import Generator

    yield Generator(settings, engine)
    if durable.is_launched():
        durable.shutdown()


@pytest.fixture
def make_user(engine):
    """Create a user: make_user("editor") → User with email editor@example.com and password 'correct horse'."""
    from core.auth import create_user

    def make(role: str = "writer", email: str | None = None):
        return create_user(engine, email=email or f"{role}@example.com", password="correct horse", role=role)

    return make


def signed_in(at, engine, user):
    """Give an AppTest a server-side session for user, as the sign-in form does."""
    from core.identity import sessions

    at.session_state["auth_session"], _ = sessions.start(engine, user)
    return at


@pytest.fixture
def app_as(engine, make_user):
    """An AppTest of the dashboard, signed in as a new user of the given role, already run once."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def start(role: str = "writer", email: str | None = None, page: str | None = None):
        st.cache_resource.clear()
        user = make_user(role, email)
        at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
        signed_in(at, engine, user)
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return start
