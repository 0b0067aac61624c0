"""Shared pieces for the API tests: a TestClient on the fake-provider pipeline and tokens per role."""

import pytest
from fastapi.testclient import TestClient

from core.access.tokens import create_token


@pytest.fixture
def client(generator):
    """A TestClient of the API on the fake-provider pipeline (no bulk worker thread)."""
    from api.app import create_app

    with TestClient(create_app(generator, bulk_worker=False), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token_for(engine, make_user):
    """token_for("editor") → Authorization headers for a new user of that role (kwargs go to create_token)."""

    def make(user_role: str = "writer", email: str | None = None, **options) -> dict:
        user = make_user(user_role, email)
        token, _ = create_token(engine, user, name="tests", **options)
        return {"Authorization": f"Bearer {token}"}

    return make
