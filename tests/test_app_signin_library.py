"""AppTests: first-run setup, sign-in, role-filtered navigation, Library review and approval."""

import io

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import auth, workflow
from core.identity import accounts, sessions, setup
from core.schemas import ContentRequest
from tests.conftest import signed_in
from tests.samples import blog_draft
from tests.net import APP_TIMEOUT
from ui import formats


@pytest.fixture
def anonymous(engine):
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    at.run()
    assert not at.exception
    return at


def test_first_run_needs_the_setup_token_from_the_log(engine, capsys):
    st.cache_resource.clear()
    setup._announced.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT).run()
    assert "Welcome to ContentCraft" in at.title[0].value
    line = next(line for line in capsys.readouterr().err.splitlines() if "ContentCraft setup" in line)
    token = line.rsplit("setup token: ", 1)[1].rstrip(")")
    at.text_input(key="signin_setup_email").input("boss@example.com")
    at.text_input(key="signin_setup_password").input("long enough pw")
    at.text_input(key="signin_setup_token").input("a guess")
    at.button(key="FormSubmitter:signin_setup-Create admin account").click()
    at.run()
    assert "setup token is not valid" in at.error[0].value and not auth.has_users(engine)
    at.text_input(key="signin_setup_token").input(token)
    at.button(key="FormSubmitter:signin_setup-Create admin account").click()
    at.run()
    assert not at.exception
    assert auth.get_user(engine, "boss@example.com").role == "admin"
    assert at.title[0].value == "Content Studio"


def test_setup_link_fills_in_the_token(engine):
    st.cache_resource.clear()
    setup._announced.clear()
    token = setup.announce(engine, stream=io.StringIO())  # as server.py does before any page runs
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    at.query_params["setup"] = token
    at.run()
    at.text_input(key="signin_setup_email").input("boss@example.com")
    at.text_input(key="signin_setup_password").input("long enough pw")
    at.button(key="FormSubmitter:signin_setup-Create admin account").click()
    at.run()
    assert not at.exception and auth.get_user(engine, "boss@example.com").role == "admin"


def test_sign_in_wrong_then_right_password(engine, make_user):
    make_user("editor")
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT).run()
    assert at.title[0].value == "Sign in to ContentCraft"
    at.text_input(key="signin_email").input("editor@example.com")
    at.text_input(key="signin_password").input("nope")
    at.button(key="FormSubmitter:signin_form-Sign in").click()
    at.run()
    assert "Wrong email or password" in at.error[0].value
    at.text_input(key="signin_password").input("correct horse")
    at.button(key="FormSubmitter:signin_form-Sign in").click()
    at.run()
    assert not at.exception and at.title[0].value == "Content Studio"
    assert any("editor@example.com" in c.value for c in at.sidebar.caption)


def test_expired_session_goes_back_to_sign_in(engine, make_user):
    user = make_user("writer")
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    at.session_state["auth_session"], _ = sessions.start(engine, user, ttl=-1)
    at.run()
    assert at.title[0].value == "Sign in to ContentCraft" and "expired" in at.info[0].value


def _sign_out_script():
    from ui.common import sign_out

    sign_out()


@pytest.mark.parametrize("via", ["password", "sso"])
def test_sign_out_ends_the_session_server_side(engine, make_user, via):
    session_id, _ = sessions.start(engine, make_user("writer"), via=via)
    st.cache_resource.clear()
    at = AppTest.from_function(_sign_out_script, default_timeout=APP_TIMEOUT)
    at.session_state["auth_session"], at.session_state["auth_via"] = session_id, via
    at.user = {"is_logged_in": True, "email": "writer@example.com", "email_verified": True}
    at.run()
    assert not at.exception and sessions.user_for(engine, session_id) is None
    assert at.user["is_logged_in"] is (via == "password")  # SSO users are signed out of the provider too


def test_deactivation_signs_the_user_out_at_once(engine, make_user):
    writer = make_user("writer")
    session_id, _ = sessions.start(engine, writer)
    accounts.set_active(engine, make_user("admin"), email="writer@example.com", active=False)
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    at.session_state["auth_session"] = session_id  # the tab's next run (AppTest re-runs a page file directly)
    at.run()
    assert at.title[0].value == "Sign in to ContentCraft"


def test_sso_needs_a_verified_email_and_sign_out_leaves_the_provider(engine, make_user):
    make_user("editor")
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "editor@example.com", "email_verified": False}
    at.run()
    assert at.title[0].value == "Sign in to ContentCraft" and "email\\_verified" in at.error[0].value
    at.user = {"is_logged_in": True, "email": "editor@example.com", "email_verified": True}
    at.run()
    assert not at.exception and at.title[0].value == "Content Studio" and at.session_state["auth_via"] == "sso"


@pytest.fixture
def draft_id(generator, fake, make_user):
    writer = make_user("writer")
    fake.enqueue([blog_draft()])
    return generator.generate(ContentRequest(topic="Running shoes for flat feet"), writer.email).item_id


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _labels(at) -> set[str]:
    return {b.label for b in at.button}


def test_library_writer_submits_and_cannot_approve(engine, draft_id):
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=APP_TIMEOUT)
    signed_in(at, engine, auth.get_user(engine, "writer@example.com"))
    at.run()
    at.switch_page("pages/library.py")
    at.run()
    assert not at.exception
    assert {"Submit for review", "Edit"} <= _labels(at) and not {"Approve", "Reject"} & _labels(at)
    frame = at.dataframe[0].value  # the date, short and next to the title, stays on screen in a narrow table
    assert list(frame.columns[:3]) == ["ID", "Title", "Updated"]
    assert frame["Updated"][0] == formats.stamp(workflow.get_item(engine, draft_id).updated_at)
    _button(at, "Submit for review").click()
    at.run()
    assert not at.exception and workflow.get_item(engine, draft_id).status == "in_review"
    assert not {"Approve", "Reject", "Submit for review", "Edit"} & _labels(at), "in review: nothing to press"


def test_library_editor_approves_with_audit(app_as, engine, draft_id):
    writer = auth.get_user(engine, "writer@example.com")
    workflow.transition(engine, writer, draft_id, "in_review")
    at = app_as("editor", page="pages/library.py")
    at.text_input(key=f"library_comment_{draft_id}").input("Looks great")
    _button(at, "Approve").click()
    at.run()
    assert not at.exception and workflow.get_item(engine, draft_id).status == "approved"
    assert workflow.audit_trail(engine, draft_id)[-1].comment == "Looks great"
    assert any("Bulk publishing needs a connected site" in c.value for c in at.caption)


def test_library_reject_needs_a_comment(app_as, engine, draft_id):
    workflow.transition(engine, auth.get_user(engine, "writer@example.com"), draft_id, "in_review")
    at = app_as("editor", page="pages/library.py")
    _button(at, "Reject").click()
    at.run()
    assert not at.exception and "Say why" in at.error[0].value
    assert workflow.get_item(engine, draft_id).status == "in_review"


def test_library_version_diff(app_as, engine, draft_id):
    writer = auth.get_user(engine, "writer@example.com")
    data = workflow.get_item(engine, draft_id).data_json
    workflow.save_edit(engine, writer, draft_id, {**data, "title": "Sharper title"})
    at = app_as("editor", page="pages/library.py")
    codes = [c.value for c in at.code]
    assert any("+Sharper title" in c for c in codes)


def test_library_empty_state(app_as):
    at = app_as("writer", page="pages/library.py")
    assert "Generate a post in the Content Studio" in at.info[0].value


@pytest.mark.parametrize(("role", "visible"), [("writer", False), ("editor", False), ("admin", True)])
def test_settings_page_only_for_admins(app_as, role, visible):
    at = app_as(role)
    with pytest.raises(Exception) if not visible else _nothing():
        at.switch_page("pages/settings.py")
        at.run()
        assert not at.exception
        assert at.title[0].value == "Settings"


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_library_shows_brand_voice_score(app_as, engine, generator, fake, make_user):
    from core.brand.apply import score_label
    from tests.test_brand_profiles import _trained

    _trained(engine)
    fake.enqueue([blog_draft()])
    response = generator.generate(ContentRequest(topic="Running in the rain", brand_profile="Running blog"),
                                  "editor@example.com")
    at = app_as("editor", page="pages/library.py")
    assert response.brand_score is not None
    label = score_label(response.brand_score.score)
    assert any(f"brand voice “Running blog” {label}" in c.value for c in at.caption)
    frame = at.dataframe[0].value
    assert frame.set_index("ID")["Brand voice"].to_dict() == {response.item_id: response.brand_score.score}


def test_library_table_sorts_by_brand_voice_with_unscored_items_empty(app_as, engine, generator, fake):
    from tests.test_brand_profiles import _trained

    _trained(engine)
    fake.enqueue([blog_draft()])
    scored = generator.generate(ContentRequest(topic="Running in the rain", brand_profile="Running blog"),
                                "editor@example.com")
    fake.enqueue([blog_draft()])
    plain = generator.generate(ContentRequest(topic="Cycling to work daily"), "editor@example.com")
    at = app_as("editor", page="pages/library.py")
    frame = at.dataframe[0].value.set_index("ID")
    assert frame.loc[scored.item_id, "Brand voice"] == scored.brand_score.score
    assert pd.isna(frame.loc[plain.item_id, "Brand voice"])
    assert str(frame["Brand voice"].dtype).startswith(("int", "float", "Int", "Float"))  # sortable as numbers
