"""`python -m core users …` and `items …` apply the same role checks as the dashboard."""

import json

from core import auth, workflow
from core.cli import main
from core.schemas import ContentRequest
from tests.samples import blog_draft


def test_users_add_with_password_env(engine, monkeypatch, capsys):
    monkeypatch.setenv("NEW_PASSWORD", "long enough pw")
    assert main(["users", "add", "ed@example.com", "--role", "editor", "--password-env", "NEW_PASSWORD"]) == 0
    assert auth.authenticate(engine, email="ed@example.com", password="long enough pw").role == "editor"
    assert main(["users", "add", "x@example.com", "--password-env", "MISSING_VAR"]) == 1
    assert "MISSING_VAR is empty or not set" in capsys.readouterr().err


def test_users_add_prompts_for_password(engine, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed password")
    assert main(["users", "add", "w@example.com"]) == 0
    assert auth.get_user(engine, "w@example.com").role == "writer"


def test_items_list_approve_reject_with_role_checks(generator, fake, make_user, engine, capsys):
    writer, editor = make_user("writer"), make_user("editor")
    fake.enqueue([blog_draft()])
    item_id = generator.generate(ContentRequest(topic="Running shoes for flat feet"), writer.email).item_id
    assert main(["items", "submit", str(item_id), "--as", "writer@example.com"]) == 0
    assert main(["items", "approve", str(item_id), "--as", "writer@example.com"]) == 1
    assert "cannot approve" in capsys.readouterr().err
    assert main(["items", "list", "--status", "in_review", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in listed] == [item_id] and listed[0]["status"] == "in_review"
    assert main(["items", "approve", str(item_id), "--as", "editor@example.com", "--comment", "ok"]) == 0
    assert workflow.get_item(engine, item_id).status == "approved"
    assert main(["items", "reject", str(item_id), "--as", "editor@example.com"]) == 1
    assert "Say why" in capsys.readouterr().err
    assert main(["items", "approve", "999", "--as", "editor@example.com"]) == 1
    assert "no content item #999" in capsys.readouterr().err
    assert main(["items", "approve", str(item_id), "--as", "ghost@example.com"]) == 1


def test_cli_audit_names_the_os_user_behind_as(generator, fake, make_user, engine, monkeypatch):
    writer, editor = make_user("writer"), make_user("editor")
    fake.enqueue([blog_draft()])
    item_id = generator.generate(ContentRequest(topic="Running shoes for flat feet"), writer.email).item_id
    workflow.transition(engine, writer, item_id, "in_review")  # the dashboard
    monkeypatch.setattr("getpass.getuser", lambda: "ops-alice")
    assert main(["items", "approve", str(item_id), "--as", editor.email, "--comment", "ok"]) == 0
    submitted, approved = workflow.audit_trail(engine, item_id)
    assert submitted.via == "" and approved.actor == editor.email
    assert approved.via == "via CLI by the OS user ops-alice as editor@example.com"


def test_users_lifecycle_from_the_cli(engine, make_user, monkeypatch, capsys):
    make_user("admin"), make_user("writer")
    assert main(["users", "deactivate", "writer@example.com", "--as", "admin@example.com"]) == 0
    assert not auth.get_user(engine, "writer@example.com").is_active
    assert main(["users", "deactivate", "admin@example.com", "--as", "admin@example.com"]) == 1
    assert "last active admin" in capsys.readouterr().err
    monkeypatch.setenv("TEMP_PW", "temporary password")
    assert main(["users", "activate", "writer@example.com", "--as", "admin@example.com"]) == 0
    assert main(["users", "reset-password", "writer@example.com", "--password-env", "TEMP_PW",
                 "--as", "admin@example.com"]) == 0
    assert auth.authenticate(engine, email="writer@example.com", password="temporary password")
    assert main(["users", "role", "writer@example.com", "editor", "--as", "writer@example.com"]) == 1
    assert main(["users", "delete", "writer@example.com", "--as", "admin@example.com"]) == 0
    assert auth.get_user(engine, "writer@example.com") is None
