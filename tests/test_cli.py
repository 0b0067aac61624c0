"""The command line: generate, db upgrade, errors as one line with a non-zero exit code."""

import json
import os
import subprocess
import sys

import pytest
from sqlmodel import Session

from core.cli import main
from core.models import ContentItem
from tests.samples import blog_draft, product_draft


def test_generate_blog_json(settings, engine, fake, capfd):
    fake.enqueue([blog_draft()])
    code = main(["generate", "blog", "--topic", "Running shoes for flat feet", "--keywords", "running shoes,flat feet",
                 "--tone", "friendly", "--length", "short", "--language", "en", "--json"])
    captured = capfd.readouterr()  # file descriptors 1 and 2: stdout is one JSON document, logs are on stderr
    out = json.loads(captured.out)
    assert json.loads(captured.err.strip().splitlines()[-1])["event"] == "generation"
    assert code == 0 and out["status"] == "succeeded" and out["provider"] == "fake"
    with Session(engine) as session:
        assert session.get(ContentItem, out["item_id"]).title == out["content"]["title"]
    assert "running shoes, flat feet" in fake.history[0]["messages"][-1]["content"]


def test_generate_product_json(settings, engine, fake, capsys):
    fake.enqueue([product_draft()])
    code = main(["generate", "product", "--name", "TrailFlex", "--features", "light;firm midsole",
                 "--attributes", "color=blue;size=42", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["product"]["meta"]["slug"] == "trailflex"
    assert "color: blue; size: 42" in fake.history[0]["messages"][-1]["content"]


def test_invalid_input_is_one_line_exit_2(settings, engine, capsys):
    code = main(["generate", "blog", "--topic", "Shoe"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: topic:") and "5 characters" in err and "\n" not in err


def test_generation_failure_exit_1(settings, engine, fake, capsys):
    fake.enqueue(["garbage", "garbage again"])
    code = main(["generate", "blog", "--topic", "Running shoes for flat feet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].startswith("error: The model") and json.loads(err[0])["status"] == "failed"
    assert not any("Traceback" in line for line in err)


def test_unknown_provider_is_explained(settings, engine, capsys):
    code = main(["generate", "blog", "--topic", "Running shoes for flat feet", "--provider", "nope"])
    assert code == 1 and "Unknown provider 'nope'" in capsys.readouterr().err


def test_db_upgrade(settings, capsys):
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_generates_offline_with_the_embedded_model(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
    env.update(CONTENTCRAFT_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", CONTENTCRAFT_MAX_TOKENS="700")
    result = subprocess.run(
        [sys.executable, "-m", "core", "generate", "blog", "--topic", "How to start trail running",
         "--keywords", "trail running", "--length", "short", "--json"],
        capture_output=True, text=True, env=env, timeout=300, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["provider"] == "local" and out["item_id"] == 1
    assert 140 <= len(out["content"]["meta"]["meta_desc"]) <= 160
    log_line = json.loads(result.stderr.strip().splitlines()[-1])
    assert log_line["event"] == "generation" and log_line["provider"] == "local" and "user" not in log_line
