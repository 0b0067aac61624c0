"""Durable bulk jobs (DBOS on SQLite) with the fake provider: lifecycle, retries, controls, exports, analytics
(crash recovery: test_bulk_recovery.py; pacing: test_bulk_pacing.py)."""

import io
import threading
import time
from datetime import timedelta

import openpyxl
import pytest
from sqlmodel import Session, func, select

from core import config
from core.bulk import claim, flow, jobs
from core.bulk.export import escape_formula, results_frame, send_to_review, to_csv, to_xlsx
from core.bulk.flow import effective_concurrency
from core.bulk.rows import backoff_seconds
from core.bulk.models import BulkItem
from core.bulk.worker import run_job
from core.errors import PermissionDeniedError, ProviderUnavailableError, RateLimitedError
from core.hookspecs import hookimpl
from core.models import AuditEntry, ContentItem, GenerationLog, utcnow
from core.plugins import pm
from tests.conftest import FakeProvider
from tests.samples import blog_draft

FAST = jobs.JobOptions(provider="fake", concurrency=4, backoff_seconds=0.01, max_attempts=3)


def _csv(*topics: str) -> bytes:
    return ("topic,keywords\n" + "".join(f"{t},shoes\n" for t in topics)).encode()


def _topics(n: int) -> list[str]:
    return [f"Running shoe guide number {i}" for i in range(n)]


def _count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _statuses(engine, job_id) -> dict[int, str]:
    return {row["row"]: row["status"] for row in jobs.items(engine, job_id)}


pytestmark = pytest.mark.usefixtures("stop_bulk_workers")


def test_job_runs_every_good_row_once(generator, engine, fake):
    fake.enqueue([blog_draft()] * 5)
    data = _csv(*_topics(5)) + b"Shoe,too short\n"
    job_id, report = jobs.create_job(generator, data, "blog", "ana@example.com", FAST, source_name="posts.csv")
    assert (report.good, report.bad) == (5, 1) and jobs.get_job(engine, job_id).total == 5
    assert run_job(generator, job_id) == "finished"
    state = jobs.progress(engine, job_id)
    assert (state.succeeded, state.failed, state.remaining, state.fraction) == (5, 0, 0, 1.0)
    rows = jobs.items(engine, job_id)
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6] and len({r["content_item_id"] for r in rows}) == 5
    assert _count(engine, ContentItem, ContentItem.author == "ana@example.com") == 5
    assert sorted(h["messages"][-1]["content"].splitlines()[0] for h in fake.history) == sorted(
        f"Write a blog post about: {t}" for t in _topics(5))
    assert all(h["stream"] is False for h in fake.history)


def test_job_counts_once_against_the_users_limit_and_items_do_not(monkeypatch, engine, fake):
    monkeypatch.setenv("CONTENTCRAFT_RATE_LIMIT", "2")
    config.get_settings.cache_clear()
    from core.pipeline import Generator

    generator = Generator(config.get_settings(), engine)
    fake.enqueue([blog_draft()] * 6)
    job_id, _ = jobs.create_job(generator, _csv(*_topics(6)), "blog", "ana", FAST)
    assert run_job(generator, job_id) == "finished" and jobs.progress(engine, job_id).succeeded == 6
    jobs.create_job(generator, _csv("Another topic for a job"), "blog", "ana", FAST)
    with pytest.raises(RateLimitedError, match="limit of 2 generations per minute"):
        jobs.create_job(generator, _csv("A third topic for a job"), "blog", "ana", FAST)


def test_retryable_failures_are_retried_then_succeed(generator, engine, fake):
    fake.enqueue([RateLimitedError("slow down", retry_after=0.01), ProviderUnavailableError("503"), blog_draft()])
    job_id, _ = jobs.create_job(generator, _csv(*_topics(1)), "blog", "ana", FAST)
    run_job(generator, job_id)
    [row] = jobs.items(engine, job_id)
    assert row["status"] == "succeeded" and row["attempts"] == 3 and row["error"] == "", row["error"]


def test_retries_stop_at_the_limit_with_the_reason(generator, engine, fake):
    fake.enqueue([ProviderUnavailableError("The provider had a server error (503); try again shortly.")] * 3)
    job_id, _ = jobs.create_job(generator, _csv(*_topics(1)), "blog", "ana", FAST)
    run_job(generator, job_id)
    [row] = jobs.items(engine, job_id)
    assert row["status"] == "failed" and row["attempts"] == 3
    assert row["error"] == "The provider had a server error (503); try again shortly. (gave up after 3 attempts)"
    assert _count(engine, ContentItem) == 0


def test_non_retryable_failure_fails_at_once(generator, engine, fake):
    fake.enqueue(["not json", "still not json"] * 2)  # the answer, its repair, then the gate's one retry
    job_id, _ = jobs.create_job(generator, _csv(*_topics(1)), "blog", "ana", FAST)
    run_job(generator, job_id)
    [row] = jobs.items(engine, job_id)
    assert row["status"] == "failed" and row["attempts"] == 1 and "JSON" in row["error"]


def test_retry_failed_reruns_only_failed_rows(generator, engine, fake):
    options = FAST.model_copy(update={"concurrency": 1})
    fake.enqueue([blog_draft(), *["garbage"] * 4, blog_draft()])
    job_id, _ = jobs.create_job(generator, _csv(*_topics(3)), "blog", "ana", options)
    run_job(generator, job_id)
    assert _statuses(engine, job_id) == {2: "succeeded", 3: "failed", 4: "succeeded"}
    calls = len(fake.history)
    fake.enqueue([blog_draft()])
    assert jobs.retry_failed(engine, job_id) == 1  # the finished job is queued again (a worker may start it now)
    assert jobs.get_job(engine, job_id).status in {"queued", "running"} and jobs.get_job(engine, job_id).round == 1
    assert run_job(generator, job_id) == "finished"
    assert _statuses(engine, job_id) == {2: "succeeded", 3: "succeeded", 4: "succeeded"}
    assert len(fake.history) == calls + 1 and "number 1" in fake.history[-1]["messages"][-1]["content"]


def test_pause_resume_and_cancel(generator, engine, fake):
    job_id, _ = jobs.create_job(generator, _csv(*_topics(3)), "blog", "ana", FAST)
    jobs.pause_job(engine, job_id)
    assert run_job(generator, job_id) == "paused" and fake.history == []
    fake.enqueue([blog_draft()] * 3)
    jobs.resume_job(engine, job_id)
    assert run_job(generator, job_id) == "finished" and jobs.progress(engine, job_id).succeeded == 3
    other, _ = jobs.create_job(generator, _csv(*_topics(2)), "blog", "ana", FAST)
    jobs.cancel_job(engine, other)
    assert run_job(generator, other) == "cancelled" and set(_statuses(engine, other).values()) == {"cancelled"}
    with pytest.raises(Exception, match="cancelled; it cannot be resumed"):
        jobs.resume_job(engine, other)


def test_pause_while_running_lets_rows_in_flight_finish(generator, engine, fake, monkeypatch):
    job_id, _ = jobs.create_job(generator, _csv(*_topics(6)), "blog", "ana", FAST.model_copy(
        update={"concurrency": 1}))
    fake.enqueue([blog_draft()] * 6)
    original = FakeProvider.execute

    def pause_after_first(self, *args):
        if len(FakeProvider.history) == 1:
            jobs.pause_job(engine, job_id)
        yield from original(self, *args)

    monkeypatch.setattr(FakeProvider, "execute", pause_after_first)
    assert run_job(generator, job_id) == "paused"
    statuses = _statuses(engine, job_id)
    # The row whose call was out finishes, and so may the one taken to go next (tests/test_bulk_overlap.py)
    assert list(statuses.values()).count("succeeded") in (1, 2, 3) and "running" not in statuses.values()


def test_only_the_creator_or_an_editor_controls_a_job(generator, engine, make_user):
    writer, other, editor = make_user("writer"), make_user("writer", "other@example.com"), make_user("editor")
    job_id, _ = jobs.create_job(generator, _csv(*_topics(2)), "blog", writer, FAST)
    assert jobs.get_job(engine, job_id).created_by == "writer@example.com"
    for action in (jobs.pause_job, jobs.cancel_job, jobs.retry_failed):
        with pytest.raises(PermissionDeniedError, match="was started by someone else"):
            action(engine, job_id, other)
    assert jobs.pause_job(engine, job_id, writer).status == "paused"
    assert jobs.resume_job(engine, job_id, editor).status == "queued"
    other.is_active = False
    with pytest.raises(PermissionDeniedError):
        jobs.create_job(generator, _csv(*_topics(1)), "blog", other, FAST)


def test_local_provider_runs_one_item_at_a_time():
    assert effective_concurrency(jobs.JobOptions(provider="local", concurrency=16)) == 1
    assert effective_concurrency(jobs.JobOptions(provider="openai", concurrency=16)) == 16


class SingleFileProvider(FakeProvider):
    """A fake that, like the local model, can only do one thing at a time; it records overlaps."""

    name = "single"
    max_concurrency = 1
    active, overlaps = 0, 0
    lock = threading.Lock()

    def execute(self, messages, schema, stream, usage):
        with SingleFileProvider.lock:
            SingleFileProvider.active += 1
            SingleFileProvider.overlaps += SingleFileProvider.active > 1
        time.sleep(0.01)
        yield from super().execute(messages, schema, stream, usage)
        with SingleFileProvider.lock:
            SingleFileProvider.active -= 1


def test_provider_with_max_concurrency_one_never_overlaps(generator, engine, fake):
    class Plugin:
        @hookimpl
        def register_providers(self, register):
            register(SingleFileProvider)

    pm.register(Plugin(), name="tests.single")
    try:
        fake.enqueue([blog_draft()] * 6)
        job_id, _ = jobs.create_job(generator, _csv(*_topics(6)), "blog", "ana",
                                    FAST.model_copy(update={"provider": "single", "concurrency": 8}))
        assert effective_concurrency(jobs.JobOptions.model_validate(jobs.get_job(engine, job_id).settings_json)) == 1
        assert run_job(generator, job_id) == "finished"
        assert SingleFileProvider.overlaps == 0 and len(fake.history) == 6
    finally:
        pm.unregister(name="tests.single")


def test_backoff_doubles_and_honours_retry_after():
    options = jobs.JobOptions(backoff_seconds=1, max_backoff_seconds=5)
    assert 0.8 <= backoff_seconds(1, options, None) <= 1.2
    assert 3.2 <= backoff_seconds(3, options, None) <= 4.8
    assert 4.0 <= backoff_seconds(9, options, None) <= 6.0
    assert backoff_seconds(1, options, 30) == 30


def test_exports_escape_formulas_and_keep_rtl(generator, engine, fake):
    fake.enqueue([blog_draft(title="=HYPERLINK(\"http://x\")"), blog_draft(title="راهنمای کفش دویدن")])
    data = "topic\n@SUM(A1:A2) shoe guide\nراهنمای انتخاب کفش دویدن\n".encode()
    job_id, _ = jobs.create_job(generator, data, "blog", "ana", FAST.model_copy(update={"concurrency": 1}))
    run_job(generator, job_id)
    frame = results_frame(engine, job_id)
    assert frame.loc[0, "topic"] == "'@SUM(A1:A2) shoe guide" and frame.loc[0, "title"] == "'=HYPERLINK(\"http://x\")"
    assert frame.loc[1, "title"] == "راهنمای کفش دویدن"
    text = to_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame))).active
    header = [cell.value for cell in sheet[1]]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert header[:5] == ["row", "status", "error", "attempts", "content_item_id"]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet.cell(2, header.index("title") + 1).value == "'=HYPERLINK(\"http://x\")"
    assert sheet.cell(3, header.index("title") + 1).value == "راهنمای کفش دویدن"
    assert [escape_formula(v) for v in ("-5%", "+1", "\tx", "ok", 5)] == ["'-5%", "'+1", "'\tx", "ok", 5]


def test_send_all_succeeded_to_review(generator, engine, fake, make_user):
    writer = make_user("writer")
    fake.enqueue([blog_draft(), *["garbage"] * 4, blog_draft()])
    job_id, _ = jobs.create_job(generator, _csv(*_topics(3)), "blog", writer.email,
                                FAST.model_copy(update={"concurrency": 1}))
    run_job(generator, job_id)
    outcome = send_to_review(engine, job_id, writer)
    assert len(outcome.sent) == 2 and not outcome.refused
    with Session(engine) as session:
        assert {session.get(ContentItem, i).status for i in outcome.sent} == {"in_review"}
    assert _count(engine, AuditEntry, AuditEntry.to_status == "in_review") == 2
    assert send_to_review(engine, job_id, writer).skipped == 2


def test_bulk_items_are_logged_for_analytics(generator, engine, fake):
    fake.enqueue([blog_draft()] * 2)
    job_id, _ = jobs.create_job(generator, _csv(*_topics(2)), "blog", "ana", FAST)
    run_job(generator, job_id)
    assert _count(engine, GenerationLog, GenerationLog.user == "ana", GenerationLog.status == "succeeded",
                  GenerationLog.type == "bulk") == 2
    assert _count(engine, BulkItem, BulkItem.job_id == job_id, BulkItem.latency_ms >= 0) == 2


def test_bulk_items_brand_scores_link_to_their_items(generator, engine, fake):
    from core.brand.models import BrandScore
    from tests.test_brand_profiles import _trained

    _trained(engine)
    fake.enqueue([blog_draft()] * 2)
    data = b"topic,brand_profile\nRunning shoe guide one,Running blog\nRunning shoe guide two,Running blog\n"
    job_id, _ = jobs.create_job(generator, data, "blog", "ana", FAST)
    run_job(generator, job_id)
    saved = {row["content_item_id"] for row in jobs.items(engine, job_id)}
    with Session(engine) as session:
        scores = {row.item_id: row.score for row in session.exec(select(BrandScore))}
    assert len(saved) == 2 and set(scores) == saved
    frame = results_frame(engine, job_id)  # the export carries each row's score, next to its item
    assert dict(zip(frame["content_item_id"], frame["brand_score"])) == scores
    assert all(0 <= score <= 100 for score in scores.values())


@pytest.mark.slow
def test_hundred_thousand_row_job_is_stored(generator, engine):
    lines = ["topic,language"] + [f"Running shoe guide number {i},en" for i in range(100_000)]
    job_id, report = jobs.create_job(generator, ("\n".join(lines) + "\n").encode(), "blog", "ana", FAST)
    assert report.good == 100_000 and jobs.progress(engine, job_id).pending == 100_000
    jobs.cancel_job(engine, job_id)
    assert jobs.progress(engine, job_id).cancelled == 100_000


def test_a_round_sends_its_first_rows_on_their_own_unless_the_provider_answered_lately(generator, engine, fake):
    from core.errors import QuotaExceededError

    fake.enqueue([blog_draft()] * 6)
    cold, _ = jobs.create_job(generator, _csv(*_topics(3)), "blog", "ana", FAST)
    assert run_job(generator, cold, timeout=60) == "finished"
    job = jobs.get_job(engine, cold)
    assert job.answered_at > job.started_at, "nothing had answered yet: the first rows went first"

    warm, _ = jobs.create_job(generator, _csv(*(f"Trail shoe guide number {i}" for i in range(3))), "blog", "ana",
                              FAST)
    assert run_job(generator, warm, timeout=60) == "finished"
    job = jobs.get_job(engine, warm)
    assert job.answered_at == job.started_at, "the provider had just answered: no probe"

    quota = QuotaExceededError("The fake account has no quota left: check billing.")
    fake.enqueue([quota] * FAST.concurrency)
    asked = len(fake.history)
    ran_out, _ = jobs.create_job(generator, _csv(*(f"Road shoe guide number {i}" for i in range(9))), "blog", "ana",
                                 FAST)
    assert run_job(generator, ran_out, timeout=60) == "paused"
    assert 1 <= len(fake.history) - asked <= FAST.concurrency, "no probe: at most one request per lane"
    assert jobs.progress(engine, ran_out).pending == 9

    fake.history.clear()
    fake.enqueue([quota] * claim.PROBE_ROWS)
    after_failure, _ = jobs.create_job(generator, _csv(*(f"Hill shoe guide number {i}" for i in range(6))), "blog",
                                       "ana", FAST)
    assert run_job(generator, after_failure, timeout=60) == "paused"
    assert 1 <= len(fake.history) <= claim.PROBE_ROWS < FAST.concurrency, "at most three requests, not one a lane"
    assert jobs.get_job(engine, after_failure).answered_at is None
    fake.queue.clear()

    with Session(engine) as session:  # the account cooled down, but the latest call still failed
        session.add(GenerationLog(user="ana", type="content", target="x", status="failed", error="no quota"))
        session.commit()
    for provider in generator.chain("fake", None):
        provider.unusable_until = 0.0
    with Session(engine) as session:
        assert not flow.answered_lately(session, "fake", utcnow())
        session.add(GenerationLog(user="ana", type="content", target="y", status="succeeded", provider="fake"))
        session.commit()
        assert flow.answered_lately(session, "fake", utcnow())


def test_rate_after_a_resume_counts_only_rows_finished_since(generator, engine):
    job_id, _report = jobs.create_job(generator, _csv(*_topics(5)), "blog", "ana@example.com", FAST)
    now = utcnow()
    with Session(engine) as session:
        for item in session.exec(select(BulkItem).where(BulkItem.job_id == job_id)).all():
            if item.row_number <= 4:  # three rows finished a minute ago, before the pause
                item.status, item.finished_at = "succeeded", now - timedelta(seconds=60)
            session.add(item)
        job = session.get(jobs.BulkJob, job_id)
        job.status, job.started_at = "running", now - timedelta(seconds=5)  # resumed 5 s ago
        session.add(job)
        session.commit()
    state = jobs.progress(engine, job_id, now=now)
    assert state.succeeded == 3 and state.rate_per_min is None and state.eta_seconds is None


def test_a_paused_job_shows_no_pace(generator, engine):
    job_id, _report = jobs.create_job(generator, _csv(*_topics(5)), "blog", "ana@example.com", FAST)
    now = utcnow()
    with Session(engine) as session:
        for item in session.exec(select(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number <= 4)):
            item.status, item.finished_at = "succeeded", now - timedelta(seconds=30)
            session.add(item)
        job = session.get(jobs.BulkJob, job_id)
        job.status, job.started_at = "running", now - timedelta(seconds=60)
        session.add(job)
        session.commit()
    assert jobs.progress(engine, job_id, now=now).rate_per_min == 3.0
    jobs.pause_job(engine, job_id)
    paused = jobs.progress(engine, job_id, now=now + timedelta(seconds=60))
    assert paused.rate_per_min is None and paused.eta_seconds is None, "no pace sinking while paused"


def test_cancelled_rows_are_not_counted_as_done(generator, engine):
    job_id, _ = jobs.create_job(generator, _csv(*_topics(5)), "blog", "ana@example.com", FAST)
    jobs.cancel_job(engine, job_id)
    state = jobs.progress(engine, job_id)
    assert (state.done, state.cancelled, state.remaining, state.fraction) == (0, 5, 0, 0.0)


def test_rows_repeating_a_topic_get_drafts_of_their_own(generator, engine, fake):
    fake.enqueue([blog_draft(title=f"Trail running, take {i}") for i in range(3)])
    job_id, _ = jobs.create_job(generator, _csv(*["Trail running for beginners"] * 3), "blog", "ana@example.com",
                                FAST.model_copy(update={"concurrency": 1}))
    assert run_job(generator, job_id) == "finished"
    assert len(fake.history) == 3, "no row reused another row's cached answer"
    titles = {r["title"] for r in jobs.items(engine, job_id)}
    assert titles == {f"Trail running, take {i}" for i in range(3)}


def test_a_job_queues_no_row_naming_a_brand_profile_there_is_not(generator, engine):
    data = b"topic,brand_profile\nTrail running for beginners,\nRoad running for beginners,Nope\n"
    job_id, report = jobs.create_job(generator, data, "blog", "ana", FAST)
    assert (report.good, report.errors[0].row, jobs.get_job(engine, job_id).total) == (1, 3, 1)


def test_a_job_speaks_the_language_its_starter_chose_even_over_the_api(generator, engine, make_user):
    from core import auth
    from core.identity import preferences

    user = make_user("writer")
    preferences.set_language(engine, user, "de")
    job_id, _ = jobs.create_job(generator, _csv(*_topics(1)), "blog", auth.get_user(engine, user.email), FAST)
    assert jobs.get_job(engine, job_id).settings_json["ui_language"] == "de"  # not the API's English
    other, _ = jobs.create_job(generator, _csv(*_topics(1)), "blog", "cli-operator", FAST)
    assert jobs.get_job(engine, other).settings_json["ui_language"] == "en"
