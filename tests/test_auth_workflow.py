"""Users, sign-in and the editorial workflow, checked in core (not only in pages)."""

import pytest

from core import auth, workflow
from core.errors import (AuthenticationError, InvalidTransitionError, NotFoundError, PermissionDeniedError,
                         ValidationFailedError)
from core.library import ItemFilter, list_items, version_diff
from core.schemas import ContentRequest
from tests.samples import blog_draft


@pytest.fixture
def item_id(generator, fake, make_user):
    writer = make_user("writer")
    fake.enqueue([blog_draft()])
    return generator.generate(ContentRequest(topic="Running shoes for flat feet"), writer.email).item_id


def test_passwords_are_salted_slow_hashes(engine, make_user):
    one, two = make_user("writer", "a@example.com"), make_user("writer", "b@example.com")
    assert one.password_hash.startswith("$argon2id$") and one.password_hash != two.password_hash
    assert "correct horse" not in one.password_hash


def test_sign_in_right_and_wrong_password(engine, make_user):
    make_user("editor")
    assert auth.authenticate(engine, email=" Editor@Example.com ", password="correct horse").role == "editor"
    with pytest.raises(AuthenticationError, match="Wrong email or password"):
        auth.authenticate(engine, email="editor@example.com", password="wrong")
    with pytest.raises(AuthenticationError, match="Wrong email or password"):
        auth.authenticate(engine, email="nobody@example.com", password="correct horse")


def test_failed_sign_ins_are_rate_limited(engine, make_user):
    make_user("writer")
    now = [0.0]
    for _ in range(auth.MAX_FAILED_SIGNINS):
        with pytest.raises(AuthenticationError, match="Wrong"):
            auth.authenticate(engine, email="writer@example.com", password="bad", clock=lambda: now[0])
    with pytest.raises(AuthenticationError, match="Too many failed sign-ins"):
        auth.authenticate(engine, email="writer@example.com", password="correct horse", clock=lambda: now[0])
    now[0] += auth.FAILED_SIGNIN_WINDOW + 1
    assert auth.authenticate(engine, email="writer@example.com", password="correct horse", clock=lambda: now[0])


def test_sessions_expire():
    assert not auth.session_expired(1000.0, now=1000.0 + auth.SESSION_TTL_SECONDS - 1)
    assert auth.session_expired(1000.0, now=1000.0 + auth.SESSION_TTL_SECONDS + 1)


def test_user_validation(engine, make_user):
    make_user("writer")
    with pytest.raises(ValidationFailedError, match="already exists"):
        auth.create_user(engine, email="writer@example.com", password="long enough pw", role="writer")
    with pytest.raises(ValidationFailedError, match="12 characters"):
        auth.create_user(engine, email="new@example.com", password="elevenchars")
    with pytest.raises(ValidationFailedError, match="Unknown role"):
        auth.create_user(engine, email="new@example.com", password="long enough pw", role="boss")


def test_first_admin_setup_only_once(engine):
    from core.identity import setup

    token = setup.issue_token(engine)
    with pytest.raises(PermissionDeniedError, match="setup token is not valid"):
        auth.create_first_admin(engine, email="boss@example.com", password="long enough pw", token="guess")
    assert auth.create_first_admin(engine, email="boss@example.com", password="long enough pw",
                                   token=token).role == "admin"
    with pytest.raises(PermissionDeniedError, match="Setup is already done"):
        auth.create_first_admin(engine, email="other@example.com", password="long enough pw", token=token)
    assert setup.issue_token(engine) is None


def test_env_admin_created_only_when_empty(engine):
    assert auth.ensure_admin_from_settings(engine, "ops@example.com", "long enough pw").role == "admin"
    assert auth.ensure_admin_from_settings(engine, "ops2@example.com", "long enough pw") is None


def test_writer_cannot_approve_even_calling_core(engine, item_id, make_user):
    writer = auth.get_user(engine, "writer@example.com")
    workflow.transition(engine, writer, item_id, "in_review")
    with pytest.raises(PermissionDeniedError, match="ask an editor or admin"):
        workflow.transition(engine, writer, item_id, "approved")
    assert workflow.get_item(engine, item_id).status == "in_review"


def test_review_approve_and_audit(engine, item_id, make_user):
    writer, editor = auth.get_user(engine, "writer@example.com"), make_user("editor")
    workflow.transition(engine, writer, item_id, "in_review")
    with pytest.raises(InvalidTransitionError, match="Say why"):
        workflow.transition(engine, editor, item_id, "rejected")
    workflow.transition(engine, editor, item_id, "rejected", "Needs a stronger intro")
    workflow.transition(engine, writer, item_id, "in_review", "Rewrote the intro")
    workflow.transition(engine, editor, item_id, "approved", "Good to go")
    trail = [(e.actor, e.from_status, e.to_status, e.comment) for e in workflow.audit_trail(engine, item_id)]
    assert trail == [("writer@example.com", "draft", "in_review", ""),
                     ("editor@example.com", "in_review", "rejected", "Needs a stronger intro"),
                     ("writer@example.com", "rejected", "in_review", "Rewrote the intro"),
                     ("editor@example.com", "in_review", "approved", "Good to go")]
    with pytest.raises(InvalidTransitionError, match="cannot move to draft"):
        workflow.transition(engine, editor, item_id, "draft")


def test_writers_submit_and_edit_only_their_own(engine, item_id, make_user):
    other = make_user("writer", "other@example.com")
    with pytest.raises(PermissionDeniedError):
        workflow.transition(engine, other, item_id, "in_review")
    with pytest.raises(PermissionDeniedError):
        workflow.save_edit(engine, other, item_id, {"title": "Hijacked"})
    editor = make_user("editor")
    assert workflow.save_edit(engine, editor, item_id, {**workflow.get_item(engine, item_id).data_json,
                                                        "title": "Edited by editor"}).version == 2


def test_versions_and_diff(engine, item_id):
    writer = auth.get_user(engine, "writer@example.com")
    data = workflow.get_item(engine, item_id).data_json
    workflow.save_edit(engine, writer, item_id, {**data, "title": "A better title",
                                                 "body_html": data["body_html"].replace("limit", "reduce")})
    first, second = workflow.versions(engine, item_id)
    assert (first.version, first.note, second.version) == (1, "generated", 2)
    assert workflow.get_item(engine, item_id).title == "A better title"
    diffs = version_diff(first.data_json, second.data_json)
    assert set(diffs) == {"title", "body_html"}
    assert "-Running Shoes for Flat Feet" in diffs["title"] and "+A better title" in diffs["title"]
    assert "+<p>Running shoes for flat feet reduce overpronation.</p>" in diffs["body_html"]


def test_library_filters(engine, generator, fake, item_id, make_user):
    fake.enqueue([blog_draft(title="Trail running in the Alps")])
    other = generator.generate(ContentRequest(topic="Trail running in the Alps", language="de"), "ed@example.com")
    assert [i.id for i in list_items(engine, ItemFilter())] == [other.item_id, item_id]
    assert [i.id for i in list_items(engine, ItemFilter(language="de"))] == [other.item_id]
    assert [i.id for i in list_items(engine, ItemFilter(search="alps"))] == [other.item_id]
    assert [i.id for i in list_items(engine, ItemFilter(author="writer@example.com"))] == [item_id]
    assert list_items(engine, ItemFilter(status="approved")) == []


def test_drafts_are_private_until_review(engine, generator, fake, item_id, make_user):
    other, editor = make_user("writer", "other@example.com"), make_user("editor")
    owner = auth.get_user(engine, "writer@example.com")
    assert [i.id for i in list_items(engine, ItemFilter(), viewer=other)] == []
    with pytest.raises(NotFoundError):
        workflow.get_item(engine, item_id, viewer=other)
    assert [i.id for i in list_items(engine, ItemFilter(), viewer=owner)] == [item_id]
    assert [i.id for i in list_items(engine, ItemFilter(), viewer=editor)] == [item_id]
    workflow.transition(engine, owner, item_id, "in_review")
    assert [i.id for i in list_items(engine, ItemFilter(), viewer=other)] == [item_id]
    assert workflow.get_item(engine, item_id, viewer=other).status == "in_review"


def test_nobody_but_an_admin_approves_their_own_item(engine, generator, fake, make_user):
    editor, second, admin = make_user("editor"), make_user("editor", "second@example.com"), make_user("admin")
    fake.enqueue([blog_draft(), blog_draft()])
    own = generator.generate(ContentRequest(topic="Running shoes for flat feet"), editor.email).item_id
    workflow.transition(engine, editor, own, "in_review")
    assert "approved" not in workflow.next_statuses(editor, workflow.get_item(engine, own))
    with pytest.raises(PermissionDeniedError, match="another editor"):
        workflow.transition(engine, editor, own, "approved")
    assert workflow.transition(engine, second, own, "approved").status == "approved"
    admins = generator.generate(ContentRequest(topic="Trail running in the Alps"), admin.email).item_id
    workflow.transition(engine, admin, admins, "in_review")
    assert workflow.transition(engine, admin, admins, "approved").status == "approved"  # audited as such
