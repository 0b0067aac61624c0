"""Every hook is exercised; a hook without a test here fails test_every_hook_has_a_test."""

import pytest

from core import hookspecs
from core.errors import ContentCraftError
from core.hookspecs import hookimpl
from core.plugins import pm
from core.schemas import ContentRequest
from tests.samples import blog_draft

REQUEST = ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes"])


@pytest.fixture
def plugin():
    registered = []

    def register(obj):
        pm.register(obj)
        registered.append(obj)
        return obj

    yield register
    for obj in registered:
        pm.unregister(obj)


def test_every_hook_has_a_test():
    hooks = [name for name in dir(hookspecs) if callable(getattr(hookspecs, name))
             and hasattr(getattr(hookspecs, name), "contentcraft_spec")]
    tests = set(globals())
    missing = [name for name in hooks if f"test_hook_{name}" not in tests]
    assert len(hooks) == 10 and not missing, f"hooks without a test: {missing}"


def test_hook_register_providers():
    from core.providers import provider_classes

    assert {"local", "openai", "custom", "anthropic", "ollama", "fake"} <= set(provider_classes())


def test_hook_before_generate(generator, fake, plugin):
    class Refuse:
        @hookimpl
        def before_generate(self, request, user, engine):
            seen.append(engine)
            if user == "blocked":
                raise ContentCraftError("Your monthly budget is used up; ask an admin to raise it.")

    seen = []
    plugin(Refuse())
    response = generator.generate(REQUEST, "blocked")
    assert response.status == "failed" and "budget" in response.error and fake.history == []
    assert seen == [generator.engine], "hooks get the database the pipeline writes to"


def test_hook_prompt_instructions(generator, fake, plugin):
    class Voice:
        @hookimpl
        def prompt_instructions(self, request):
            return "Always write in short, punchy sentences."

    plugin(Voice())
    fake.enqueue([blog_draft()])
    generator.generate(REQUEST, "u")
    assert "short, punchy sentences" in fake.history[0]["messages"][-1]["content"]


def test_hook_api_request_args(generator, fake, plugin):
    class AddSystem:
        @hookimpl
        def api_request_args(self, provider, args):
            args["messages"] = [{"role": "system", "content": f"house rules for {provider}"}, *args["messages"]]

    plugin(AddSystem())
    fake.enqueue([blog_draft()])
    generator.generate(REQUEST, "u")
    assert fake.history[0]["messages"][0]["content"] == "house rules for fake"


def test_hook_before_api_request(generator, fake, plugin):
    seen = []

    class Watch:
        @hookimpl
        def before_api_request(self, provider, messages):
            seen.append((provider, len(messages)))

    plugin(Watch())
    fake.enqueue([blog_draft()])
    generator.generate(REQUEST, "u")
    assert seen == [("fake", 2)]


def test_hook_api_response(generator, fake, plugin):
    class Rewrite:
        @hookimpl
        def api_response(self, provider, completion):
            completion.data["title"] = "Rewritten by a plugin"

    plugin(Rewrite())
    fake.enqueue([blog_draft()])
    assert generator.generate(REQUEST, "u").content.title == "Rewritten by a plugin"


def test_hook_generated_content(generator, fake, plugin):
    class Sign:
        @hookimpl
        def generated_content(self, request, data):
            data.body_html += "<p>Reviewed by the team.</p>"

    plugin(Sign())
    fake.enqueue([blog_draft()])
    assert generator.generate(REQUEST, "u").content.body_html.endswith("<p>Reviewed by the team.</p>")


def test_hook_content_generated(generator, fake, plugin):
    done = []

    class Notify:
        @hookimpl
        def content_generated(self, request, response, user):
            done.append((user, response.item_id))

    plugin(Notify())
    fake.enqueue([blog_draft()])
    response = generator.generate(REQUEST, "ana")
    assert done == [("ana", response.item_id)]


def test_hook_generation_failed(generator, fake, plugin):
    failures = []

    class Alert:
        @hookimpl
        def generation_failed(self, request, error, user):
            failures.append((user, type(error).__name__))

    plugin(Alert())
    fake.enqueue(["nonsense", "still nonsense"] * 2)  # the quality gate retries once
    generator.generate(REQUEST, "ana")
    assert failures == [("ana", "InvalidOutputError")]


def test_hook_brand_trained(plugin):
    trained = []

    class Listen:
        @hookimpl
        def brand_trained(self, profile):
            trained.append(profile)

    plugin(Listen())
    pm.hook.brand_trained(profile={"name": "house", "version": 2})
    assert trained == [{"name": "house", "version": 2}]
