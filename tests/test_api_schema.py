"""Schemathesis (v4) against the API's OpenAPI schema: no 500s, every answer matches what the schema says."""

import json
import os
import uuid

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from hypothesis import HealthCheck, Phase, given, settings

from core.access.tokens import create_token
from core.hookspecs import hookimpl
from core.plugins import pm
from core.providers import Provider, Usage
from tests.samples import blog_draft, product_draft

EXAMPLES_PER_OPERATION = 15  # keeps the whole run near a minute on two cores
# Fixed examples per commit keep CI repeatable; CONTENTCRAFT_FUZZ=1 draws fresh ones to hunt for new failures.
DERANDOMIZE = not os.environ.get("CONTENTCRAFT_FUZZ")
# not_a_server_error: replaced by no_internal_error (502/503 are documented answers about providers).
# positive_data_acceptance: a schema-valid request may still be refused with a documented 4xx problem (a topic
# in the wrong script for its language; lengths counted after whitespace is stripped), checked in core.
EXCLUDED = [not_a_server_error, positive_data_acceptance]


class EndlessProvider(Provider):
    """Answers every call with a valid draft (blog or product, by the schema asked for)."""

    name = "endless"
    default_model = "endless-model"

    def execute(self, messages, schema, stream, usage: Usage):
        properties = (schema or {}).get("properties", {})
        draft = blog_draft() if "body_html" in properties else product_draft()
        usage.prompt_tokens, usage.completion_tokens = 10, 50
        yield json.dumps(draft if "title" in properties else {"meta_desc": draft["meta_desc"]})


class _Plugin:
    @hookimpl
    def register_providers(self, register):
        register(EndlessProvider)


@pytest.fixture
def api_token(engine, make_user) -> str:
    token, _ = create_token(engine, make_user("admin"), name="schemathesis")
    return token


@pytest.fixture
def api_schema(monkeypatch, engine, api_token):
    from core import config
    from core.pipeline import Generator
    from api.app import create_app

    pm.register(_Plugin(), name="tests.endless")
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "endless")
    monkeypatch.setenv("CONTENTCRAFT_RATE_LIMIT", "100000")
    config.get_settings.cache_clear()
    app = create_app(Generator(config.get_settings(), engine), bulk_worker=False)
    for name in ("ContentGenerate", "ProductGenerate"):  # fuzz with the instant provider, not the real model
        field = app.openapi()["components"]["schemas"][name]["properties"]["provider"]
        next(branch for branch in field["anyOf"] if branch.get("type") == "string")["enum"] = ["endless"]
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    pm.unregister(name="tests.endless")


def no_internal_error(ctx, response, case):
    """500 is a bug; 502/503 are documented answers about providers and the database."""
    if response.status_code == 500:
        raise AssertionError(f"500 from {case.operation.label}: {response.text[:500]}")


def test_api_matches_its_schema(api_schema, api_token):
    # Operations are looped here rather than through schemathesis' pytest plugin, whose lazy fixture
    # loader does not run on pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=DERANDOMIZE,
                  phases=[Phase.explicit, Phase.generate],  # no shrinking: each call is a full request
                  suppress_health_check=list(HealthCheck))
        def check(case):
            # A fresh Idempotency-Key per call: generated keys repeat across examples, and a reused key with
            # another body is rightly refused (422), which the positive-data check would count as a failure.
            headers = {"Authorization": f"Bearer {api_token}", "Idempotency-Key": uuid.uuid4().hex}
            case.call_and_validate(headers=headers, timeout=120, excluded_checks=EXCLUDED,
                                   additional_checks=[no_internal_error])

        check()
