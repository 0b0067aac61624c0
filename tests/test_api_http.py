"""The API over real HTTP: `python -m api` with the embedded model end to end, and the st.App single process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.net import free_port, stop, wait_until

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
    env.update(CONTENTCRAFT_DATABASE_URL=f"sqlite:///{tmp_path / 'api.db'}", CONTENTCRAFT_MAX_TOKENS="700",
               CONTENTCRAFT_PASSWORD="correct horse")
    return env


def _token(env) -> str:
    run = lambda *args: subprocess.run([sys.executable, "-m", "core", *args], env=env, cwd=ROOT, check=True,  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    run("users", "add", "writer@example.com", "--password-env", "CONTENTCRAFT_PASSWORD")
    return run("tokens", "create", "writer@example.com", "--name", "http test").stdout.strip().splitlines()[-1]


def _serve(command: list[str], env: dict, port: int):
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200, process,
               "the API", timeout=120)
    return process


def test_embedded_model_end_to_end_over_http(tmp_path):
    env, port = _env(tmp_path), free_port()
    token = _token(env)
    server = _serve([sys.executable, "-m", "api", "--port", str(port)], env, port)
    try:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "e2e-1"}
        request = {"topic": "How to start trail running", "keywords": ["trail running"], "length": "short"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            answer = client.post("/api/content/generate", json=request, headers=headers)
            body = answer.json()
            assert answer.status_code == 200, body
            assert body["success"] and body["provider"] == "local" and body["item_id"] == 1
            assert 140 <= len(body["data"]["meta"]["meta_desc"]) <= 160 and body["completion_tokens"] > 0
            with client.stream("POST", "/api/content/generate?stream=true", json=request,
                               headers={"Authorization": f"Bearer {token}"}) as streamed:
                events = streamed.read().decode().strip().split("\n\n")
            result = json.loads(events[-1].split("data: ", 1)[1])
            assert events[-1].startswith("event: result") and result["cache_hit"] and result["data"] == body["data"]
            assert client.get("/api/items/1", headers={"Authorization": f"Bearer {token}"}).json()["id"] == 1
    finally:
        stop(server)


def test_dashboard_and_api_in_one_process(tmp_path):
    env, port = _env(tmp_path), free_port()
    token = _token(env)
    server = _serve([sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1", "--port", str(port)],
                    env, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            assert "<html" in client.get("/").text.lower()
            items = client.get("/api/items", headers={"Authorization": f"Bearer {token}"})
            assert items.status_code == 200 and items.json() == []
            assert client.get("/api/items").json()["type"] == "/api/problems/unauthorized"
            assert "/content/generate" in client.get("/api/openapi.json").text
    finally:
        stop(server)
