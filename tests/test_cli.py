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
    assert code == 0 and out["success"] is True and out["error"] is None and out["provider"] == "fake"
    assert out["kind"] == "content" and out["tokens"] == out["prompt_tokens"] + out["completion_tokens"] > 0
    with Session(engine) as session:
        assert session.get(ContentItem, out["item_id"]).title == out["data"]["title"]
    assert "running shoes, flat feet" in fake.history[0]["messages"][-1]["content"]


def test_generate_product_json(settings, engine, fake, capsys):
    fake.enqueue([product_draft()])
    code = main(["generate", "product", "--name", "TrailFlex", "--features", "light;firm midsole",
                 "--attributes", "color=blue;size=42", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["kind"] == "product" and out["data"]["meta"]["slug"] == "trailflex"
    assert "color: blue; size: 42" in fake.history[0]["messages"][-1]["content"]


def test_invalid_input_is_one_line_exit_2(settings, engine, capsys):
    code = main(["generate", "blog", "--topic", "Shoe"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: The topic needs at least 5 characters.") and "\n" not in err


def test_generation_failure_exit_1(settings, engine, fake, capsys):
    fake.enqueue(["garbage", "garbage again"] * 2)  # the quality gate retries once
    code = main(["generate", "blog", "--topic", "Running shoes for flat feet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].startswith("error: The model") and json.loads(err[0])["status"] == "failed"
    assert not any("Traceback" in line for line in err)


def test_generation_failure_json_is_the_envelope(settings, engine, fake, capsys):
    fake.enqueue(["garbage", "garbage again"] * 2)  # the quality gate retries once
    code = main(["generate", "blog", "--topic", "Running shoes for flat feet", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["success"] is False and out["data"] is None
    assert out["error"].startswith("The model") and out["error_kind"] == "invalid_output"


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
        capture_output=True, text=True, env=env, timeout=900, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.returncode in (0, 3), result.stderr  # 3: saved, but a 135M model's post may need review
    out = json.loads(result.stdout)
    assert out["provider"] == "local" and out["item_id"] == 1
    assert out["success"] and 140 <= len(out["data"]["meta"]["meta_desc"]) <= 160
    log_line = json.loads(result.stderr.strip().splitlines()[-1])
    assert log_line["event"] == "generation" and log_line["provider"] == "local" and "user" not in log_line


def test_bulk_status_on_a_database_not_yet_migrated_is_one_line(settings, capsys):
    assert main(["bulk", "status", "7"]) == 1
    assert capsys.readouterr().err.strip() == "error: There is no bulk job #7."


def test_output_into_a_closed_pipe_exits_quietly():
    """`python -m core … | head` where the reader has gone: no BrokenPipeError traceback."""
    child = subprocess.Popen([sys.executable, "-m", "core", "i18n", "coverage"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=os.path.dirname(os.path.dirname(__file__)))
    child.stdout.close()  # before the child writes anything
    err = child.stderr.read().decode()
    child.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_worker_stops_promptly_and_quietly_on_sigterm_mid_row(settings, engine, generator, monkeypatch):
    """A row waits on a provider that answers in 60 s: SIGTERM ends the worker after its bounded wait."""
    import signal
    import time

    from core.bulk import jobs
    from tests.fault_server import FaultServer

    server = FaultServer(latency=60)
    env = {**os.environ, "CONTENTCRAFT_PROVIDER": "openai", "OPENAI_BASE_URL": server.base_url,
           "OPENAI_API_KEY": "sk-test-not-real", "CONTENTCRAFT_TIMEOUT": "90", "CONTENTCRAFT_MAX_RETRIES": "0"}
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\n", "blog", "ana",
                                jobs.JobOptions(provider="openai", concurrency=1))
    worker = subprocess.Popen([sys.executable, "-m", "core", "worker"], env=env, stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        deadline = time.monotonic() + 60
        while server.stats["requests"] == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.stats["requests"] == 1, "the row reached the provider"
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        err = worker.communicate(timeout=30)[1].decode()
        assert time.monotonic() - started < 15
    finally:
        worker.kill()
        server.close()
    assert worker.returncode == 0 and "Traceback" not in err and "Bulk worker stopped." in err, err
