"""The dashboard side of the API: the API tokens page and API error rates on the Analytics page."""

import re
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from core.access.audit import AuditLog
from tests.test_analytics import add_rows


def test_a_writer_creates_uses_and_revokes_a_token(app_as, generator):
    from api.app import create_app

    at = app_as("writer", page="pages/api_tokens.py")
    assert at.title[0].value == "API tokens" and at.selectbox(key="tokens_role").options == ["writer"]
    at.text_input(key="tokens_name").input("My WordPress site")
    at.button[0].click().run()
    token = at.code[0].value
    assert token.startswith("cc_") and not at.exception
    with TestClient(create_app(generator, bulk_worker=False)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/items", headers=headers).status_code == 200
        at.run()
        assert not at.code and "My WordPress site" in at.dataframe[0].value["Name"].tolist()  # shown only once
        at.button[1].click().run()
        assert "revoked" in at.success[0].value and client.get("/api/items", headers=headers).status_code == 401


def test_admin_tokens_default_to_least_privilege_and_name_their_owners(app_as, engine, make_user):
    from core.access.tokens import create_token
    from core.auth import ROLES

    writer = make_user("writer", "wren@example.com")
    create_token(engine, writer, name="wren's script")
    at = app_as("admin", page="pages/api_tokens.py")
    role = at.selectbox(key="tokens_role")
    assert role.options == list(ROLES) and role.value == "writer"  # the least role that can generate
    at.text_input(key="tokens_name").input("Admin script")
    at.button[0].click().run()
    assert not at.exception and at.code[0].value.startswith("cc_")
    table = at.dataframe[0].value.set_index("Name")
    assert table.loc["Admin script", "Role"] == "writer"
    assert table.loc["wren's script", "Owner"] == "wren@example.com"
    assert table.loc["Admin script", "Owner"] == "admin@example.com" and "Owner id" not in table.columns
    created = table.loc["Admin script", "Created (UTC)"]
    assert str(datetime.now(timezone.utc).year) in created and "Created" not in table.columns
    assert not re.search(r"\d{4}-\d\d-\d\dT?|\+00:00", created)  # not an ISO timestamp
    assert table.loc["Admin script", "Last used (UTC)"] == "never"


def test_analytics_page_shows_api_error_rates_by_endpoint(app_as, engine):
    import streamlit as st

    add_rows(engine, dict(created_at=datetime.now(timezone.utc) - timedelta(minutes=5), type="content"))
    audit = AuditLog(engine)
    for status in (200, 200, 429, 503):
        audit.record(token_id=1, user="w@example.com", method="POST", endpoint="/api/content/generate",
                     status_code=status, latency_ms=12.5)
    audit.close()
    st.cache_data.clear()
    at = app_as("editor", page="pages/analytics.py")
    assert not at.exception
    table = next(frame.value for frame in at.dataframe if "endpoint" in frame.value.columns)
    row = table.set_index("endpoint").loc["/api/content/generate"]
    assert row["calls"] == 4 and row["client_errors"] == 1 and row["server_errors"] == 1 and row["error_rate"] == 0.5
