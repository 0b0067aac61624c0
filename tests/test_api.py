"""The API over TestClient: generation envelope, SSE, idempotency, tokens, limits and every problem status."""

import json

from sqlmodel import select

from core.access.models import ApiCall, ApiToken
from core.db import session_scope
from core.errors import ProviderUnavailableError
from core.models import ContentItem
from tests.api_helpers import client, token_for  # noqa: F401  (fixtures)
from tests.samples import blog_draft, product_draft

TOPIC = {"topic": "Running shoes for flat feet", "keywords": ["running shoes"], "length": "short"}
PROBLEM = "application/problem+json"


def _items(engine) -> list[ContentItem]:
    with session_scope(engine) as session:
        return list(session.exec(select(ContentItem)))


def test_content_generate_returns_the_seed_envelope_and_saves_the_item(client, token_for, fake, engine):
    fake.enqueue([blog_draft()])
    answer = client.post("/api/content/generate", json=TOPIC, headers=token_for("writer"))
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is True and body["error"] is None
    assert body["data"]["meta"]["slug"] and body["kind"] == "content" and body["provider"] == "fake"
    assert body["tokens"] == body["prompt_tokens"] + body["completion_tokens"] > 0 and body["cache_hit"] is False
    assert [item.id for item in _items(engine)] == [body["item_id"]]
    again = client.post("/api/content/generate", json=TOPIC, headers=token_for("editor")).json()
    assert again["cache_hit"] is True and again["data"] == body["data"]


def test_product_generate(client, token_for, fake):
    fake.enqueue([product_draft()])
    body = client.post("/api/product/generate", json={"name": "TrailFlex", "features": ["light", "firm"]},
                       headers=token_for()).json()
    assert body["success"] and body["kind"] == "product" and body["data"]["image_alt_text"]


def test_failed_generation_is_a_problem_carrying_the_envelope(client, token_for, fake):
    fake.enqueue([ProviderUnavailableError("fake is down; try again later.")])
    answer = client.post("/api/content/generate", json=TOPIC, headers=token_for())
    body = answer.json()
    assert answer.status_code == 503 and answer.headers["content-type"] == PROBLEM
    assert body["type"] == "/api/problems/provider-unavailable" and body["status"] == 503
    assert body["success"] is False and body["data"] is None and body["error"] == body["detail"]
    assert body["error_kind"] == "provider_unavailable" and "error_type" not in body  # one field, not two
    assert "Traceback" not in answer.text


def test_each_problem_has_its_own_error_kind_and_kinds_find_the_same_problem_as_classes():
    from api import problems
    from core.bulk.mapping import UnmappedColumnError
    from core.errors import ContentCraftError

    classes = [cls for _, _, covered in problems.PROBLEMS.values() for cls in covered]
    kinds = [cls.kind for cls in classes]
    assert len(kinds) == len(set(kinds)), kinds
    for cls in [*classes, UnmappedColumnError]:  # a subclass without its own kind is reported as its parent
        assert problems.slug_for_kind(cls.kind) == problems.slug_for(cls.__new__(cls)), cls
    assert problems.slug_for_kind(None) == problems.slug_for_kind("no-such-kind") == "request-failed"
    assert ContentCraftError.kind == "error" and problems.slug_for_kind("error") == "request-failed"


def test_stream_sends_chunks_then_the_result(client, token_for, fake):
    fake.enqueue([blog_draft()])
    with client.stream("POST", "/api/content/generate?stream=true", json=TOPIC, headers=token_for()) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        events = [block for block in answer.read().decode().split("\n\n") if block]
    names = [block.split("\n")[0].removeprefix("event: ") for block in events]
    assert names[-1] == "result" and names.count("chunk") >= 2 and set(names[:-1]) == {"chunk"}
    text = "".join(json.loads(block.split("data: ", 1)[1])["text"] for block in events[:-1])
    assert json.loads(text)["title"] == blog_draft()["title"]
    assert json.loads(events[-1].split("data: ", 1)[1])["success"] is True


def test_idempotency_key_replays_the_first_answer_and_creates_nothing(client, token_for, fake, engine):
    headers = {**token_for(), "Idempotency-Key": "6f1c1a8e-retry"}
    fake.enqueue([blog_draft()])
    first = client.post("/api/content/generate", json=TOPIC | {"use_cache": False}, headers=headers)
    second = client.post("/api/content/generate", json=TOPIC | {"use_cache": False}, headers=headers)
    assert first.status_code == second.status_code == 200 and second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true" and len(_items(engine)) == 1 and not fake.queue
    reused = client.post("/api/content/generate", json=TOPIC | {"topic": "Another topic here"}, headers=headers)
    assert reused.status_code == 422 and reused.json()["type"] == "/api/problems/idempotency-key-reused"


def test_a_retry_while_the_first_request_runs_gets_409(client, token_for, engine):
    from core.access import idempotency
    from core.auth import get_user

    headers = {**token_for(email="w@example.com"), "Idempotency-Key": "busy"}
    body = json.dumps({"rows": [TOPIC]})
    user = get_user(engine, "w@example.com")
    print_ = idempotency.fingerprint("POST", "/api/bulk?kind=blog", b"blog\0application/json\0" + body.encode())
    idempotency.begin(engine, user.id, "busy", print_)
    answer = client.post("/api/bulk?kind=blog", content=body, headers=headers | {"Content-Type": "application/json"})
    assert answer.status_code == 409 and answer.json()["type"] == "/api/problems/request-in-progress"


def test_401_without_bad_revoked_or_expired_tokens(client, token_for, engine):
    missing = client.post("/api/content/generate", json=TOPIC)
    assert missing.status_code == 401 and missing.headers["content-type"] == PROBLEM
    assert missing.headers["WWW-Authenticate"].startswith("Bearer") and "Authorization: Bearer" in missing.json()["detail"]
    assert client.get("/api/items", headers={"Authorization": "Bearer cc_nope"}).status_code == 401
    headers = token_for("writer")
    with session_scope(engine) as session:
        row = session.exec(select(ApiToken)).one()
        row.expires_at = row.created_at
        session.add(row)
    expired = client.get("/api/items", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_revoked_and_deactivated_tokens_stop_working(client, token_for, engine):
    from core.access.tokens import revoke_token
    from core.auth import get_user
    from core.models import User

    headers = token_for("writer")
    assert client.get("/api/items", headers=headers).status_code == 200
    user = get_user(engine, "writer@example.com")
    with session_scope(engine) as session:
        token_id = session.exec(select(ApiToken.id)).one()
    revoke_token(engine, user, token_id)
    assert "revoked" in client.get("/api/items", headers=headers).json()["detail"]
    other = token_for("editor")
    with session_scope(engine) as session:
        editor = session.exec(select(User).where(User.email == "editor@example.com")).one()
        editor.is_active = False
        session.add(editor)
    answer = client.get("/api/items", headers=other)
    assert answer.status_code == 401 and "deactivated" in answer.json()["detail"]


def test_403_by_role_and_by_the_token_ceiling(client, token_for, generator, make_user, fake):
    fake.enqueue([blog_draft()])
    item_id = client.post("/api/content/generate", json=TOPIC, headers=token_for("writer")).json()["item_id"]
    client.post(f"/api/items/{item_id}/submit", headers=token_for("admin", email="boss@example.com"))
    denied = client.post(f"/api/items/{item_id}/approve", headers=token_for("writer", email="w2@example.com"))
    assert denied.status_code == 403 and denied.json()["type"] == "/api/problems/forbidden"
    capped = token_for("editor", role="writer")
    assert client.post(f"/api/items/{item_id}/approve", headers=capped).status_code == 403
    assert client.get("/api/analytics/summary", headers=capped).status_code == 403
    assert client.post(f"/api/items/{item_id}/approve", headers=token_for("editor", email="e2@example.com")).json()[
        "status"] == "approved"


def test_items_list_read_and_workflow_with_404_409_422(client, token_for, fake):
    fake.enqueue([blog_draft()])
    writer = token_for("writer")
    item_id = client.post("/api/content/generate", json=TOPIC, headers=writer).json()["item_id"]
    listed = client.get("/api/items?status=draft", headers=writer).json()
    assert [row["id"] for row in listed] == [item_id]
    item = client.get(f"/api/items/{item_id}", headers=writer).json()
    assert item["data"]["title"] == blog_draft()["title"] and item["version"] == 1 and item["audit"] == []
    missing = client.get("/api/items/999", headers=writer)
    assert missing.status_code == 404 and missing.json()["type"] == "/api/problems/not-found"
    editor = token_for("editor")
    conflict = client.post(f"/api/items/{item_id}/approve", headers=editor)
    assert conflict.status_code == 409 and "draft" in conflict.json()["detail"]
    assert client.post(f"/api/items/{item_id}/submit", json={"comment": "ready"}, headers=writer).json()[
        "status"] == "in_review"
    no_reason = client.post(f"/api/items/{item_id}/reject", json={"comment": ""}, headers=editor)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"][-1] == "comment"
    assert client.post(f"/api/items/{item_id}/reject", json={"comment": "Add sources"}, headers=editor).json()[
        "status"] == "rejected"
    assert client.get(f"/api/items/{item_id}", headers=writer).json()["audit"][-1]["comment"] == "Add sources"
    unpublishable = client.post(f"/api/items/{item_id}/publish", json={"site": "blog"}, headers=editor)
    assert unpublishable.status_code == 422 and "approved" in unpublishable.json()["detail"]


def test_422_names_each_bad_field(client, token_for):
    answer = client.post("/api/content/generate", json={"topic": "Shoe", "length": "huge"}, headers=token_for())
    body = answer.json()
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert {tuple(e["loc"][-1:]) for e in body["errors"]} == {("topic",), ("length",)}
    assert "topic" in body["detail"] and "length" in body["detail"]


def test_415_for_a_json_endpoint_sent_another_media_type(client, token_for):
    body, token = json.dumps(TOPIC).encode(), token_for()
    for media in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = token | ({"Content-Type": media} if media else {})
        answer = client.post("/api/content/generate", content=body, headers=headers)
        problem = answer.json()
        assert answer.status_code == 415 and answer.headers["content-type"] == PROBLEM, (media, problem)
        assert problem["type"] == "/api/problems/unsupported-media-type" and problem["status"] == 415
        assert "application/json" in problem["detail"] and (media or "no Content-Type") in problem["detail"]
    documented = client.get("/api/openapi.json").json()["paths"]["/api/content/generate"]["post"]["responses"]
    assert documented["415"]["content"]["application/problem+json"]
    labelled = client.post("/api/content/generate", content=b'{"topic": "Shoe"}',
                           headers=token | {"Content-Type": "application/json; charset=utf-8"})
    assert labelled.status_code == 422  # JSON that does not validate stays 422


def test_413_for_bodies_over_the_limit(monkeypatch, generator, token_for):
    from fastapi.testclient import TestClient

    from api.app import create_app

    generator.settings = generator.settings.model_copy(update={"api_max_body_bytes": 2048})
    with TestClient(create_app(generator, bulk_worker=False)) as small:
        headers = token_for() | {"Content-Type": "text/csv"}
        declared = small.post("/api/bulk", content=b"topic\n" + b"x" * 4096, headers=headers)
        chunked = small.post("/api/bulk", content=iter([b"topic\n", b"y" * 4096]), headers=headers)
    for answer in (declared, chunked):
        assert answer.status_code == 413 and answer.json()["type"] == "/api/problems/payload-too-large"


def test_429_per_token_with_retry_after(monkeypatch, generator, token_for):
    from fastapi.testclient import TestClient

    from api.app import create_app

    generator.settings = generator.settings.model_copy(update={"api_rate_limit": 2})
    with TestClient(create_app(generator, bulk_worker=False)) as limited:
        first, second = token_for("writer"), token_for("editor")
        codes = [limited.get("/api/items", headers=first).status_code for _ in range(3)]
        refused = limited.get("/api/items", headers=first)
        assert codes == [200, 200, 429] and refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60 and refused.json()["retry_after"] >= 1
        assert limited.get("/api/items", headers=second).status_code == 200  # per token, not global


def test_503_when_the_database_is_down(client, generator, monkeypatch):
    from sqlalchemy import create_engine

    monkeypatch.setattr(client.app.state.services.generator, "engine",
                        create_engine("sqlite:////nonexistent/dir/db.sqlite"))
    health = client.get("/api/health")
    assert health.status_code == 503 and health.json()["status"] == "down"
    answer = client.get("/api/items", headers={"Authorization": "Bearer cc_x"})
    assert answer.status_code == 503 and answer.json()["type"] == "/api/problems/service-unavailable"
    assert "Traceback" not in answer.text and "sqlite" not in answer.text.lower()


def test_health_needs_no_token(client):
    body = client.get("/api/health").json()
    assert body["database"]["ok"] is True and body["provider"]["name"] == "fake" and body["status"] == "ok"
    assert body["provider"]["ok"] is True and "not contacted" in body["provider"]["checked"]  # never a bare null


def test_health_says_what_it_checked_for_each_provider(settings, tmp_path):
    import socket

    from core.health import provider_status
    from tests.net import free_port

    def status(**changes):
        return provider_status(settings.model_copy(update=changes))

    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        up = status(provider="ollama", ollama_host=f"http://127.0.0.1:{port}")
        assert up == {"name": "ollama", "ok": True, "checked": f"TCP connection to 127.0.0.1:{port}", "error": None}
    closed = free_port()
    down = status(provider="ollama", ollama_host=f"http://127.0.0.1:{closed}")
    assert down["ok"] is False and f"127.0.0.1:{closed}" in down["error"]
    keyless = status(provider="openai", openai_api_key=None, openai_base_url=f"http://127.0.0.1:{closed}/v1")
    assert keyless["ok"] is False and keyless["checked"] == "API key set" and "OPENAI_API_KEY" in keyless["error"]
    missing = status(provider="local", local_model_path=str(tmp_path / "none.gguf"))
    assert missing["ok"] is False and "model file" in missing["checked"] and "missing" in missing["error"]
    custom_down = status(provider="custom", custom_base_url=f"http://127.0.0.1:{closed}/v1",
                         openai_base_url=f"http://127.0.0.1:{port}/v1")  # OPENAI_BASE_URL only points openai
    assert custom_down == {"name": "custom", "ok": False, "checked": f"TCP connection to 127.0.0.1:{closed}",
                           "error": f"Nothing answers at 127.0.0.1:{closed}: check the address."}
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        custom_up = status(provider="custom", custom_base_url=f"http://127.0.0.1:{port}/v1", openai_base_url=None)
        assert custom_up["ok"] is True and custom_up["checked"] == f"TCP connection to 127.0.0.1:{port}"
    unset = status(provider="custom", custom_base_url=None, openai_base_url=f"http://127.0.0.1:{port}/v1")
    assert unset["ok"] is False and "CONTENTCRAFT_CUSTOM_BASE_URL" in unset["error"]
    unknown = status(provider="nope")
    assert unknown["ok"] is False and "No provider named 'nope'" in unknown["error"]


def test_docs_pages_load_only_local_assets(client, generator):
    import re

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.app import create_app

    for page in ("/api/docs", "/api/redoc"):
        html = client.get(page).text
        urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)
        assert urls and not re.search(r"https?://|//[a-z]", html, re.I), (page, urls)  # no CDN, fonts or badge
        for url in urls:
            assert url.startswith("/api/"), (page, url)
            assert client.get(url).status_code == 200 and client.get(url).content, url
    assert '"validatorUrl": null' in client.get("/api/docs").text  # Swagger UI's default badge is remote
    mounted = FastAPI()  # as server.py serves it: the API mounted at /api, its routes without the prefix
    mounted.mount("/api", create_app(generator, bulk_worker=False, prefix=""))
    with TestClient(mounted) as dashboard:
        html = dashboard.get("/api/docs").text
        assert '"/api/docs-assets/swagger-ui-bundle.js"' in html and "'/api/openapi.json'" in html
        assert dashboard.get("/api/docs-assets/swagger-ui.css").status_code == 200


def test_unknown_routes_and_methods_are_problems(client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert client.get("/api/content/generate").status_code == 405
    assert client.get("/api/problems/rate-limited").json()["status"] == 429


def test_every_call_is_audited_and_analytics_reports_error_rates(client, token_for, fake, engine):
    fake.enqueue([blog_draft()])
    writer, editor = token_for("writer"), token_for("editor")
    client.post("/api/content/generate", json=TOPIC, headers=writer)
    client.get("/api/items/404", headers=writer)
    client.get("/api/items/405", headers=writer)
    client.app.state.services.audit.flush()  # rows are written in batches off the request path
    summary = client.get("/api/analytics/summary?since=7d", headers=editor)
    assert summary.status_code == 200 and summary.json()["kpis"]["generations"] == 1
    client.app.state.services.audit.flush()
    with session_scope(engine) as session:
        calls = list(session.exec(select(ApiCall).order_by(ApiCall.id)))
    assert [(c.endpoint, c.status_code, c.user) for c in calls] == [
        ("/api/content/generate", 200, "writer@example.com"), ("/api/items/{item_id}", 404, "writer@example.com"),
        ("/api/items/{item_id}", 404, "writer@example.com"), ("/api/analytics/summary", 200, "editor@example.com")]
    assert calls[1].problem == "not-found" and calls[0].token_id and calls[0].latency_ms > 0
    rates = {row["endpoint"]: row for row in summary.json()["api_endpoints"]}
    assert rates["/api/items/{item_id}"]["error_rate"] == 1.0 and rates["/api/content/generate"]["error_rate"] == 0


def test_cors_allows_connected_sites_only(client, engine, make_user):
    from core.wordpress.models import Site

    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    assert "access-control-allow-origin" not in client.options(
        "/api/content/generate", headers=preflight | {"Origin": "https://shop.example"}).headers
    with session_scope(engine) as session:
        session.add(Site(name="shop", base_url="https://Shop.example/wp/", username="u", password_encrypted="x",
                         created_by="admin@example.com"))
    client.app.middleware_stack = None  # rebuild: the origin list is re-read
    client.app.middleware_stack = client.app.build_middleware_stack()
    allowed = client.options("/api/content/generate", headers=preflight | {"Origin": "https://shop.example"})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-origin" not in client.options(
        "/api/content/generate", headers=preflight | {"Origin": "https://evil.example"}).headers
