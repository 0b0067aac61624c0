"""The API's bulk, brand and token endpoints and the tokens CLI."""

import pytest
from sqlmodel import select

from core.access.models import ApiToken
from core.bulk.worker import run_job, stop_all
from core.cli import main
from core.db import session_scope
from core.errors import ProviderUnavailableError, ValidationFailedError
from tests.api_helpers import client, token_for  # noqa: F401  (fixtures)
from tests.test_config_cache_limits import redis_url  # noqa: F401  (fixture: a real redis-server)
from tests.samples import blog_draft

CSV = "topic,keywords\nRunning shoes for flat feet,running shoes\nTrail running for beginners,trail\nBad,\n"


def test_bulk_from_csv_runs_and_reports_rows(client, token_for, generator, fake):
    writer = token_for("writer")
    created = client.post("/api/bulk?kind=blog", content=CSV.encode(), headers=writer | {"Content-Type": "text/csv"})
    body = created.json()
    assert created.status_code == 202 and body["total_rows"] == 3 and body["queued_rows"] == 2
    assert body["problems"][0]["row"] == 4 and body["problems"][0]["column"] == "topic"
    fake.enqueue([blog_draft(), ProviderUnavailableError("down")] + [ProviderUnavailableError("down")] * 3)
    generator_options = {"backoff_seconds": 0}
    with session_scope(generator.engine) as session:
        from core.bulk.models import BulkJob

        job = session.get(BulkJob, body["job_id"])
        job.settings_json = {**job.settings_json, **generator_options, "concurrency": 1}
        session.add(job)
    run_job(generator, body["job_id"])
    stop_all()  # as in the API under test (no bulk worker in it): a retried job stays queued
    state = client.get(f"/api/bulk/{body['job_id']}", headers=writer).json()
    assert (state["succeeded"], state["failed"], state["status"]) == (1, 1, "finished")
    assert state["needs_review"] == 0, "the API reports the rows saved for review apart"
    assert state["rows"][0]["content_item_id"] and state["rows"][1]["error"]
    retried = client.post(f"/api/bulk/{body['job_id']}/retry", headers=writer).json()
    assert retried["status"] == "queued" and retried["pending"] == 1
    paused = client.post(f"/api/bulk/{body['job_id']}/pause", headers=writer).json()
    assert paused["status"] == "paused" and paused["pause_reason"] is None, "paused by a person: no reason"
    assert client.post(f"/api/bulk/{body['job_id']}/resume", headers=writer).json()["status"] == "queued"
    cancelled = client.post(f"/api/bulk/{body['job_id']}/cancel", headers=writer).json()
    assert cancelled["status"] == "cancelled" and cancelled["cancelled"] == 1


def test_bulk_from_json_rows_is_idempotent_and_checks_who_may_look(client, token_for):
    writer = token_for("writer") | {"Idempotency-Key": "bulk-1"}
    rows = {"rows": [{"topic": "Running shoes for flat feet", "keywords": ["running", "shoes"]}]}
    first = client.post("/api/bulk?kind=blog", json=rows, headers=writer)
    again = client.post("/api/bulk?kind=blog", json=rows, headers=writer)
    assert first.status_code == again.status_code == 202 and again.json()["job_id"] == first.json()["job_id"]
    job = first.json()["job_id"]
    other = client.get(f"/api/bulk/{job}", headers=token_for("writer", email="other@example.com"))
    assert other.status_code == 403 and "was started by someone else" in other.json()["detail"]
    assert client.get(f"/api/bulk/{job}", headers=token_for("editor")).json()["rows"][0]["input"] == (
        "Running shoes for flat feet")
    assert client.get("/api/bulk/999", headers=token_for("admin")).status_code == 404


def test_bulk_refuses_other_media_types_and_empty_rows(client, token_for):
    headers = token_for()
    wrong = client.post("/api/bulk", content=b"<rows/>", headers=headers | {"Content-Type": "application/xml"})
    assert wrong.status_code == 415 and wrong.json()["type"] == "/api/problems/unsupported-media-type"
    empty = client.post("/api/bulk", json={"rows": []}, headers=headers)
    assert empty.status_code == 422 and "rows" in empty.json()["detail"]
    misplaced = client.post("/api/bulk", json={"kind": "product", "concurrency": 6, "rows": [{"name": "Trail shoe"}]},
                            headers=headers)  # as the documented schema says: no other keys, none ignored
    assert misplaced.status_code == 422 and "'kind', 'concurrency'" in misplaced.json()["detail"]
    assert "?kind=product" in misplaced.json()["detail"] and '"options"' in misplaced.json()["detail"]


def test_bulk_columns_are_mapped_through_the_api_and_its_errors_say_how(client, token_for):
    headers = token_for()
    csv_body = b"Idea,Tags\nRunning shoes for flat feet,running shoes\n"
    unmapped = client.post("/api/bulk", content=csv_body, headers=headers | {"Content-Type": "text/csv"})
    detail = unmapped.json()["detail"]
    assert unmapped.status_code == 422 and unmapped.json()["type"] == "/api/problems/validation-failed"
    assert "no column for topic" in detail and "?mapping=topic=COLUMN" in detail and '"mapping"' in detail
    assert "--map" not in detail and "mapping step" not in detail  # the API has neither
    mapped = client.post("/api/bulk?mapping=topic=Idea", content=csv_body, headers=headers | {"Content-Type": "text/csv"})
    assert mapped.status_code == 202 and mapped.json()["queued_rows"] == 1
    rows = {"rows": [{"Idea": "Trail running for beginners", "Tags": "trail"}], "mapping": {"topic": "Idea"}}
    job = client.post("/api/bulk", json=rows, headers=headers).json()["job_id"]
    assert client.get(f"/api/bulk/{job}", headers=headers).json()["rows"][0]["input"] == "Trail running for beginners"
    woo = b"ID,Type,Name\n12,simple,Trail shoe\n"
    refused = client.post("/api/bulk?kind=blog", content=woo, headers=headers | {"Content-Type": "text/csv"})
    assert refused.status_code == 422 and "?kind=product" in refused.json()["detail"]
    bad = client.post("/api/bulk?mapping=topic", content=csv_body, headers=headers | {"Content-Type": "text/csv"})
    assert bad.status_code == 422 and "FIELD=COLUMN" in bad.json()["detail"]


def test_brand_score(client, token_for, engine):
    from tests.test_brand_profiles import _trained

    _trained(engine, name="Running blog")
    from tests.brand_corpus import passages

    own = client.post("/api/brand/Running blog/score", json={"text": " ".join(passages("en", "blog", "heldout"))},
                      headers=token_for()).json()
    other = client.post("/api/brand/Running blog/score", json={"text": " ".join(passages("en", "legal", "heldout")),
                                                               "language": "en"}, headers=token_for("editor")).json()
    assert own["profile"] == "Running blog" and own["score"] > other["score"] and other["differences"]
    missing = client.post("/api/brand/Nope/score", json={"text": "Hello there."}, headers=token_for("admin"))
    assert missing.status_code == 404 and "Nope" in missing.json()["detail"]


VOICE = {"description": "Warm, practical coaching for new runners, in the second person.", "tone": "friendly",
         "rules_do": ["Speak to the reader as you"], "rules_dont": ["No jargon"], "preferred_words": ["easy"],
         "banned_words": []}


def _posts(part: str = "train") -> list[dict]:
    from tests.brand_corpus import passages

    return [{"text": f"<!-- wp:paragraph --><p>{text}</p><!-- /wp:paragraph -->", "html": True, "title": f"Post {n}",
             "source": f"https://shop.example.com/?p={n}"} for n, text in enumerate(passages("en", "blog", part), 1)]


def test_brand_train_creates_then_retrains_a_profile_and_fires_the_hook(client, token_for, engine, fake):
    from core.brand.profiles import get_profile, samples, versions
    from core.hookspecs import hookimpl
    from core.plugins import pm

    heard = []

    class Listen:
        @hookimpl
        def brand_trained(self, profile):
            heard.append(profile)

    editor = token_for("editor")
    posts = _posts()
    fake.enqueue([VOICE])
    pm.register(listener := Listen())
    try:
        first = client.post("/api/brand/Shop blog/train", headers=editor,
                            json={"texts": [*posts, {"text": "Too short."}, posts[0]], "language": "en"})
        again = client.post("/api/brand/shop  BLOG/train", headers=editor,
                            json={"texts": _posts("heldout")[:2], "describe": False})
    finally:
        pm.unregister(listener)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["profile"], body["version"], body["created"], body["described"]) == ("Shop blog", 2, True, True)
    assert (body["samples_added"], body["samples_skipped"]) == (len(posts), 2) and body["languages"] == ["en"]
    assert body["description"] == VOICE["description"] and body["rules_do"] == VOICE["rules_do"]
    assert body["provider"] == "fake" and len(fake.history) == 1
    later = again.json()
    assert again.status_code == 200 and (later["version"], later["created"], later["described"]) == (3, False, False)
    assert later["samples_total"] == len(posts) + 2 and later["description"] == VOICE["description"]
    profile = get_profile(engine, "Shop blog")
    stored = samples(engine, profile.id)
    assert stored[0].source == "https://shop.example.com/?p=1" and "<p>" not in stored[0].text
    assert "wp:paragraph" not in stored[0].text and [v.version for v in versions(engine, profile.id)] == [3, 2, 1]
    assert [h["version"] for h in heard] == [2, 3] and heard[0]["name"] == "Shop blog"


def test_brand_train_refuses_writers_short_texts_and_keeps_nothing_on_failure(client, token_for, engine, fake):
    from core.brand.profiles import list_profiles

    writer = client.post("/api/brand/Shop blog/train", json={"texts": _posts()}, headers=token_for("writer"))
    assert writer.status_code == 403 and writer.json()["type"] == "/api/problems/forbidden"
    editor = token_for("editor")
    short = client.post("/api/brand/Shop blog/train", json={"texts": [{"text": "Hi there."}]}, headers=editor)
    assert short.status_code == 422 and "40 characters" in short.json()["detail"]
    empty = client.post("/api/brand/Shop blog/train", json={"texts": []}, headers=editor)
    assert empty.status_code == 422 and "texts" in empty.json()["detail"]
    fake.enqueue([{"tone": "x"}, "not json"])
    failed = client.post("/api/brand/Shop blog/train", json={"texts": _posts()}, headers=editor)
    assert failed.status_code == 502 and failed.json()["type"] == "/api/problems/invalid-output"
    assert list_profiles(engine) == []


@pytest.mark.parametrize("path", ["%2E%2E", "%2e", "%20..%20", "a%2Fb", "a%5Cb", "a%00b", "bad%1Bname", "tab%09name"])
def test_brand_train_refuses_path_like_and_control_character_names(client, token_for, engine, path):
    from core.brand.profiles import list_profiles

    answer = client.post(f"/api/brand/{path}/train", json={"texts": _posts()}, headers=token_for("editor"))
    if answer.status_code == 404:  # a decoded slash splits the path: no route, which refuses it just as well
        assert "%2F" in path
    else:
        assert answer.status_code == 422 and answer.json()["type"] == "/api/problems/validation-failed", answer.text
        assert "cannot be a profile name" in answer.json()["detail"]
    assert list_profiles(engine) == []


def test_the_readmes_train_example_is_the_body_the_api_takes():
    import json
    import re
    from pathlib import Path

    from api.routers.brand import Training

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    body = json.loads(re.search(r"/api/brand/[^\s\"]+/train\".*?-d '([^']+)'", readme, re.DOTALL)[1])
    assert Training.model_validate(body).texts[0].html is True and "plain or" not in readme.split("/train")[1][:80]


def test_profile_names_are_checked_in_core(engine):
    from core.brand.profiles import create_profile, profile_name

    assert profile_name("  Shop   blog ") == "Shop blog" and profile_name("v1.2 ٫ فروشگاه\u200cها") == "v1.2 ٫ فروشگاه\u200cها"
    for bad in ("..", ".", "a/b", "a\\b", "x\x00y", "\x7f", "a\nb"):
        with pytest.raises(ValidationFailedError, match="cannot be a profile name"):
            create_profile(engine, "ed", bad)


def test_brand_train_is_idempotent_and_documented(client, token_for, fake):
    headers = token_for("editor") | {"Idempotency-Key": "train-1"}
    fake.enqueue([VOICE])
    first = client.post("/api/brand/Shop blog/train", json={"texts": _posts()}, headers=headers)
    replay = client.post("/api/brand/Shop blog/train", json={"texts": _posts()}, headers=headers)
    assert first.status_code == replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["version"] == first.json()["version"] == 2 and len(fake.history) == 1
    operation = client.get("/api/openapi.json").json()["paths"]["/api/brand/{profile}/train"]["post"]
    assert {"403", "422", "502", "503"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("TrainingOutcome")


def test_tokens_are_stored_hashed_capped_and_last_used(client, token_for, engine):
    headers = token_for("editor", role="writer", expires_days=30)
    token = headers["Authorization"].split()[1]
    client.get("/api/items", headers=headers)
    with session_scope(engine) as session:
        row = session.exec(select(ApiToken)).one()
    assert token.startswith("cc_") and token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert row.role == "writer" and row.last_used_at is not None and row.expires_at is not None


def test_a_token_cannot_outrank_its_user(engine, make_user):
    import pytest

    from core.access.tokens import create_token
    from core.errors import PermissionDeniedError, ValidationFailedError

    writer = make_user("writer")
    with pytest.raises(PermissionDeniedError):
        create_token(engine, writer, name="x", role="admin")
    with pytest.raises(ValidationFailedError):
        create_token(engine, writer, name=" ")


def test_tokens_cli_create_list_revoke(engine, make_user, capsys, client):
    make_user("editor")
    assert main(["tokens", "create", "editor@example.com", "--name", "Shop site", "--expires-days", "7"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("cc_") and " " not in token
    assert client.get("/api/items", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert main(["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Shop site" in listing and "editor@example.com" in listing and token not in listing
    token_id = listing.split()[0].lstrip("#")
    assert main(["tokens", "revoke", token_id]) == 0
    assert client.get("/api/items", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert main(["tokens", "create", "nobody@example.com", "--name", "x"]) == 1
    assert "users add" in capsys.readouterr().err


def test_deleting_a_user_removes_their_tokens(client, token_for, engine, make_user):
    from core.identity.accounts import delete_user

    headers = token_for("writer")
    delete_user(engine, make_user("admin"), email="writer@example.com")
    with session_scope(engine) as session:
        assert not session.exec(select(ApiToken)).all()
    assert client.get("/api/items", headers=headers).status_code == 401


def test_token_limit_is_shared_through_real_redis(redis_url):
    import pytest

    from core.access.throttle import TokenThrottle
    from core.errors import RateLimitedError

    first, second = TokenThrottle(2, redis_url), TokenThrottle(2, redis_url)  # two API workers
    first.hit(7)
    second.hit(7)
    with pytest.raises(RateLimitedError) as refused:
        first.hit(7)
    assert 1 <= refused.value.retry_after <= 60
    second.hit(8)  # another token has its own window


def test_token_limit_falls_back_to_the_process_when_redis_is_down():
    import pytest

    from core.access.throttle import TokenThrottle
    from core.errors import RateLimitedError

    throttle = TokenThrottle(1, "redis://127.0.0.1:9/0")
    throttle.hit(1)
    with pytest.raises(RateLimitedError):
        throttle.hit(1)
