"""Out-of-quota, billing and revoked-key answers: not retried, fallback at once, bulk jobs pause and resume.

Every vendor answer comes through the official SDK from a local server speaking its wire format.
"""

import json
import time

import pytest
from sqlmodel import Session, select

from core import config
from core.bulk import jobs
from core.bulk.worker import run_job
from core.db import engine_for, upgrade
from core.errors import NeedsKeyError, QuotaExceededError, RateLimitedError
from core.models import ContentItem
from core.pipeline import Generator
from core.providers import get_provider
from core.schemas import BlogDraft
from tests.fault_server import FaultServer
from tests.samples import blog_draft
from tests.vendor_server import Reply, VendorServer, anthropic_error, anthropic_message, openai_chat, openai_error

SCHEMA = BlogDraft.model_json_schema()
MESSAGES = [{"role": "user", "content": "Write a post."}]


@pytest.fixture
def vendor():
    server = VendorServer()
    yield server
    server.close()


@pytest.fixture
def fault_servers():
    started = []

    def start(**kwargs) -> FaultServer:
        started.append(FaultServer(**kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()


def _settings(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    config.get_settings.cache_clear()
    return config.get_settings()


def _openai(monkeypatch, url: str, retries: int = 2):
    return get_provider("openai", _settings(monkeypatch, OPENAI_BASE_URL=url, OPENAI_API_KEY="sk-test-not-real",
                                            CONTENTCRAFT_MAX_RETRIES=retries, CONTENTCRAFT_TIMEOUT=5))


def _anthropic(monkeypatch, url: str, retries: int = 2):
    return get_provider("anthropic", _settings(monkeypatch, ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY="sk-ant-test",
                                               CONTENTCRAFT_MAX_RETRIES=retries, CONTENTCRAFT_TIMEOUT=5))


def test_openai_insufficient_quota_is_not_retried_and_says_billing(monkeypatch, vendor):
    vendor.enqueue(*[Reply(429, openai_error("insufficient_quota", "You exceeded your current quota"))] * 3)
    with pytest.raises(QuotaExceededError) as raised:
        _openai(monkeypatch, vendor.url + "/v1").complete(MESSAGES, SCHEMA)
    assert "the openai account has no quota left: check billing" in str(raised.value).lower()
    assert len(vendor.requests) == 1, "the SDK must not retry a quota answer"


def test_openai_plain_429_with_retry_after_is_still_retried(monkeypatch, vendor):
    vendor.enqueue(Reply(429, openai_error("rate_limit_exceeded", "Rate limit reached", "requests"),
                         headers={"retry-after": "2"}),
                   Reply(body=openai_chat(json.dumps(blog_draft()))))
    started = time.monotonic()
    completion = _openai(monkeypatch, vendor.url + "/v1", retries=1).complete(MESSAGES, SCHEMA)
    assert completion.data["title"] == blog_draft()["title"] and len(vendor.requests) == 2
    assert time.monotonic() - started >= 1.9, "Retry-After: 2 was honoured"
    vendor.enqueue(Reply(429, openai_error("rate_limit_exceeded"), headers={"retry-after": "0"}))
    with pytest.raises(RateLimitedError, match="rate limiting"):
        _openai(monkeypatch, vendor.url + "/v1", retries=0).complete(MESSAGES, SCHEMA)


def test_openai_revoked_key_is_a_key_error_not_retried(monkeypatch, vendor):
    vendor.enqueue(*[Reply(401, openai_error("invalid_api_key", "Incorrect API key provided",
                                             "invalid_request_error"))] * 3)
    with pytest.raises(NeedsKeyError, match="rejected the API key"):
        _openai(monkeypatch, vendor.url + "/v1").complete(MESSAGES, SCHEMA)
    assert len(vendor.requests) == 1


@pytest.mark.parametrize("status", [400, 402, 429])
def test_anthropic_billing_error_is_not_retried(monkeypatch, vendor, status):
    vendor.enqueue(*[Reply(status, anthropic_error("billing_error", "Your credit balance is too low"))] * 3)
    with pytest.raises(QuotaExceededError, match="(?i)the Anthropic account has no credit left: check billing"):
        _anthropic(monkeypatch, vendor.url).complete(MESSAGES, SCHEMA)
    assert len(vendor.requests) == 1


def test_anthropic_rate_limit_is_still_retried(monkeypatch, vendor):
    vendor.enqueue(Reply(429, anthropic_error("rate_limit_error"), headers={"retry-after": "0"}),
                   Reply(body=anthropic_message(blog_draft())))
    completion = _anthropic(monkeypatch, vendor.url, retries=1).complete(MESSAGES, SCHEMA)
    assert completion.data == blog_draft() and len(vendor.requests) == 2


def _csv(n: int, word: str = "Trail") -> bytes:
    return ("topic,keywords,language\n"
            + "".join(f"{word} running guide number {i},trail running,en\n" for i in range(n))).encode()


def _openai_generator(monkeypatch, server: FaultServer, **env) -> Generator:
    settings = _settings(monkeypatch, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test-not-real",
                         CONTENTCRAFT_PROVIDER="openai", CONTENTCRAFT_TIMEOUT=5, **env)
    upgrade(settings.database_url)
    return Generator(settings, engine_for(settings.database_url))


def test_bulk_job_pauses_on_quota_within_seconds_and_resumes(monkeypatch, fault_servers):
    server = fault_servers(latency=0.01, account="quota")
    generator = _openai_generator(monkeypatch, server)
    options = jobs.JobOptions(concurrency=8, max_attempts=4, backoff_seconds=0.05)
    job_id, _ = jobs.create_job(generator, _csv(20), "blog", "ana", options)
    started = time.monotonic()
    assert run_job(generator, job_id) == "paused"
    assert time.monotonic() - started < 5
    assert server.stats["requests"] <= 3
    state = jobs.progress(generator.engine, job_id)
    assert "the openai account has no quota left: check billing" in state.pause_reason.lower()
    assert (state.pending, state.failed, state.succeeded) == (20, 0, 0)
    assert not any(row["error"] for row in jobs.items(generator.engine, job_id)), "the reason is the job's"

    server.account = None  # billing fixed
    jobs.resume_job(generator.engine, job_id)
    assert run_job(generator, job_id) == "finished"
    state = jobs.progress(generator.engine, job_id)
    assert (state.succeeded, state.failed, state.pause_reason) == (20, 0, None)
    assert all(row["attempts"] == 1 for row in jobs.items(generator.engine, job_id))


def test_a_paused_jobs_reason_and_row_errors_speak_the_language_of_who_started_it(monkeypatch, fault_servers):
    from core.i18n import use_language

    server = fault_servers(latency=0.01, account="quota")
    generator = _openai_generator(monkeypatch, server)
    with use_language("de"):  # as the dashboard of a German-speaking writer runs
        job_id, _ = jobs.create_job(generator, _csv(3), "blog", "ana", jobs.JobOptions(concurrency=2))
    assert run_job(generator, job_id) == "paused"  # on a worker, whose own language is English
    assert "hat kein Kontingent mehr: Prüfe die Abrechnung" in jobs.progress(generator.engine, job_id).pause_reason


def test_bulk_job_pauses_when_the_key_is_revoked_mid_job(monkeypatch, fault_servers):
    server = fault_servers(latency=0.05)
    generator = _openai_generator(monkeypatch, server)
    job_id, _ = jobs.create_job(generator, _csv(30), "blog", "ana", jobs.JobOptions(concurrency=2))
    revoke_after = 6

    def revoke(*args):
        if server.stats["ok"] >= revoke_after:
            server.account = "revoked"

    assert run_job(generator, job_id, on_progress=revoke) == "paused"
    state = jobs.progress(generator.engine, job_id)
    assert "rejected the API key" in state.pause_reason and state.failed == 0
    assert revoke_after <= state.succeeded < 30 and state.pending == 30 - state.succeeded
    assert server.stats["account_revoked"] <= 3


def test_with_a_fallback_rows_go_there_directly(monkeypatch, fault_servers, fake):
    server = fault_servers(latency=0.01, account="quota")
    generator = _openai_generator(monkeypatch, server, CONTENTCRAFT_FALLBACK="fake")
    fake.enqueue([blog_draft()] * 20)
    job_id, _ = jobs.create_job(generator, _csv(20, "Road"), "blog", "ana", jobs.JobOptions(concurrency=4))
    assert run_job(generator, job_id) == "finished"
    assert jobs.progress(generator.engine, job_id).succeeded == 20
    assert len(fake.history) == 20
    # The first row finds the quota gone; the others skip the exhausted account for a while.
    assert server.stats["requests"] <= 4
    with Session(generator.engine) as session:
        providers = set(session.exec(select(ContentItem.provider)))
    assert providers == {"fake"}


def test_fallback_chain_names_the_provider_it_skipped(monkeypatch, vendor, fake):
    from core.providers import complete_with_fallback

    vendor.enqueue(Reply(429, openai_error("insufficient_quota")))
    primary = _openai(monkeypatch, vendor.url + "/v1")
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "fake")
    backup = get_provider("fake", _settings(monkeypatch))
    fake.enqueue([blog_draft(), blog_draft()])
    first = complete_with_fallback([primary, backup], MESSAGES, SCHEMA)
    second = complete_with_fallback([primary, backup], MESSAGES, SCHEMA)
    assert first.fallback_from == second.fallback_from == ["openai"] and len(vendor.requests) == 1
    with pytest.raises(QuotaExceededError):  # alone in its chain, it is still asked (billing may be fixed)
        vendor.enqueue(Reply(429, openai_error("insufficient_quota")))
        complete_with_fallback([primary], MESSAGES, SCHEMA)
    assert len(vendor.requests) == 2
