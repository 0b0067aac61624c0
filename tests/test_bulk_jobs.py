"""Durable bulk jobs (DBOS on SQLite) with the fake provider: lifecycle, retries, idempotency, worker, exports."""

import io
import threading
import time
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from core import config
from core.bulk import durable, flow, jobs
from core.bulk import rows as bulk_rows
from core.bulk.export import escape_formula, results_frame, send_to_review, to_csv, to_xlsx
from core.bulk.flow import effective_concurrency
from core.bulk.rows import backoff_seconds
from core.bulk.models import BulkItem, BulkWorker
from core.bulk.worker import run_job, start_worker, stop_all
from core.errors import PermissionDeniedError, ProviderUnavailableError, RateLimitedError
from core.hookspecs import hookimpl
from core.models import AuditEntry, ContentItem, GenerationLog, utcnow
from core.plugins import pm
from tests.conftest import FakeProvider
from tests.net import wait_for
from tests.samples import blog_draft, product_draft

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


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    stop_all()


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
        with pytest.raises(PermissionDeniedError, match="cannot review"):
            action(engine, job_id, other)
    assert jobs.pause_job(engine, job_id, writer).status == "paused"
    assert jobs.resume_job(engine, job_id, editor).status == "queued"
    other.is_active = False
    with pytest.raises(PermissionDeniedError):
        jobs.create_job(generator, _csv(*_topics(1)), "blog", other, FAST)


def test_a_row_is_saved_once_however_often_its_lane_runs(generator, engine, fake):
    fake.enqueue([blog_draft()] * 2)
    job_id, _ = jobs.create_job(generator, _csv(*_topics(2)), "blog", "ana", FAST)
    assert run_job(generator, job_id) == "finished" and len(fake.history) == 2
    from dbos import DBOS, SetWorkflowID

    first = DBOS.retrieve_workflow(flow.lane_id(job_id, 0, 0)).get_result()
    assert first in {"drained", "stopped"}  # no row left, or the job finished before the lane looked again
    with SetWorkflowID(flow.lane_id(job_id, 0, 0)):  # a lane's id again: DBOS returns its result, runs nothing
        assert DBOS.start_workflow(flow.run_lane, job_id, 0, 0).get_result() == first
    with SetWorkflowID(flow.lane_id(job_id, 5, 0)):  # a lane of a round that is not the job's finds nothing to do
        assert DBOS.start_workflow(flow.run_lane, job_id, 5, 0).get_result() == "stopped"
    assert len(fake.history) == 2 and _count(engine, ContentItem) == 2
    assert _count(engine, GenerationLog, GenerationLog.type == "bulk") == 2


def test_a_row_failing_outside_its_generation_ends_failed_and_the_job_finishes(generator, engine, fake,
                                                                              monkeypatch):
    fake.enqueue([blog_draft(), *["not json", "still not json"] * 2, blog_draft()])
    real_fail, real_generate, generated = bulk_rows._fail, flow.generate_row, []

    def fail_cannot_be_written(engine_, item, *args, **kwargs):
        if item.row_number == 3:  # row 3's generation failed, and so does writing that down
            raise OperationalError("UPDATE bulk_item", {}, Exception("database is locked"))
        return real_fail(engine_, item, *args, **kwargs)

    def fails_once_after_saving(job_id, row, *args, **kwargs):
        outcome = real_generate(job_id, row, *args, **kwargs)
        generated.append(row)
        if len(generated) == 1:  # right after row 2 was generated and saved
            raise RuntimeError("connection lost")
        return outcome

    monkeypatch.setattr(bulk_rows, "_fail", fail_cannot_be_written)
    monkeypatch.setattr(flow, "generate_row", fails_once_after_saving)
    job_id, _ = jobs.create_job(generator, _csv(*_topics(3)), "blog", "ana", FAST.model_copy(update={"concurrency": 1}))
    assert run_job(generator, job_id, timeout=60) == "finished"
    assert _statuses(engine, job_id) == {2: "succeeded", 3: "failed", 4: "succeeded"} and len(fake.history) == 6
    [failed] = jobs.items(engine, job_id, status="failed")
    assert "OperationalError" in failed["error"] and "retry it" in failed["error"] and "\n" not in failed["error"]
    assert "database is locked" not in failed["error"], "the reason is one line for the user, not the driver's text"


def test_a_row_left_running_by_a_lane_that_died_is_failed_and_the_job_fed_again(generator, engine, fake,
                                                                                monkeypatch):
    fake.enqueue([blog_draft()])
    real_generate = flow.generate_row

    def crash_on_row_two(job_id, row, *args, **kwargs):
        if row == 2:
            raise RuntimeError("worker bug after the claim")
        return real_generate(job_id, row, *args, **kwargs)

    def end_held_row_fails(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(flow, "generate_row", crash_on_row_two)
    monkeypatch.setattr(flow, "end_held_row", end_held_row_fails)  # the lane cannot record the failure: ERROR
    job_id, _ = jobs.create_job(generator, _csv(*_topics(2)), "blog", "ana", FAST.model_copy(update={"concurrency": 1}))
    assert run_job(generator, job_id, timeout=60) == "finished"  # the keeper's sweep ends row 2, a new lane row 3
    assert _statuses(engine, job_id) == {2: "failed", 3: "succeeded"} and jobs.get_job(engine, job_id).round == 1
    [failed] = jobs.items(engine, job_id, status="failed")
    assert failed["error"] == "This row's run ended without a result (ERROR): retry it."


def test_workflow_ids_name_job_round_and_lane():
    assert flow.lane_id(7, 3, 1) == "bulk-lane:7:3:1"
    assert durable.system_database_url("sqlite:////srv/data/contentcraft.db") == "sqlite:////srv/data/contentcraft.dbos.db"
    assert durable.system_database_url("postgresql+psycopg://u@db/cc") == "postgresql+psycopg://u@db/cc"


def test_a_dead_workers_rows_are_recovered_and_its_record_dropped(generator, engine):
    worker = start_worker(generator)
    with Session(engine) as session:
        session.add(BulkWorker(executor_id="gone", host=durable.HOST, pid=999_999_999))
        session.add(BulkWorker(executor_id="far-away", host="other-host", pid=1))
        session.commit()
    keeper = durable._state["keeper"]
    keeper.recover_dead()  # (its own thread may have got there first)
    with Session(engine) as session:
        assert {w.executor_id for w in session.exec(select(BulkWorker))} == {worker.executor, "far-away"}  # same host, no such process
        far = session.get(BulkWorker, "far-away")
        far.heartbeat_at = utcnow() - timedelta(seconds=durable.STALE_SECONDS + 1)
        session.add(far)
        session.commit()
    keeper.recover_dead()  # another machine that stopped beating
    with Session(engine) as session:
        assert {w.executor_id for w in session.exec(select(BulkWorker))} == {worker.executor}
    stop_all()
    assert _count(engine, BulkWorker) == 0


def test_worker_runs_queued_jobs_in_the_background(generator, engine, fake):
    fake.enqueue([product_draft()] * 2)
    data = b"name,features,woo_product_id\nTrailFlex shoe,light; firm,42\nRoadFlex shoe,soft,\n"
    job_id, _ = jobs.create_job(generator, data, "product", "ana", FAST)
    worker = start_worker(generator)
    assert start_worker(generator).executor == worker.executor
    worker.wake()
    wait_for(lambda: jobs.get_job(engine, job_id).status == "finished", "the job finishing")
    assert jobs.progress(engine, job_id).succeeded == 2
    frame = results_frame(engine, job_id)
    assert list(frame["woo_product_id"].astype(object).fillna(0)) == [42, 0]
    assert _count(engine, ContentItem, ContentItem.type == "product") == 2


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
        scored = {row.item_id for row in session.exec(select(BrandScore))}
    assert len(saved) == 2 and scored == saved


@pytest.mark.slow
def test_hundred_thousand_row_job_is_stored(generator, engine):
    lines = ["topic,language"] + [f"Running shoe guide number {i},en" for i in range(100_000)]
    job_id, report = jobs.create_job(generator, ("\n".join(lines) + "\n").encode(), "blog", "ana", FAST)
    assert report.good == 100_000 and jobs.progress(engine, job_id).pending == 100_000
    jobs.cancel_job(engine, job_id)
    assert jobs.progress(engine, job_id).cancelled == 100_000


def test_rpm_is_paced_evenly_never_a_minutes_burst():
    from core.bulk.pacing import MemorySlots

    now = [0.0]
    slots = MemorySlots(clock=lambda: now[0])
    assert [slots.take("p", 0.5) for _ in range(2)] == [0.0, 0.5]  # the first goes, the next waits 0.5 s
    now[0] = 0.7  # a sender woke up late: the slot after it is 0.5 s after it went, not crowded onto it
    assert slots.take("p", 0.5) == 0.0 and slots.take("p", 0.5) == pytest.approx(0.5)
    now[0] = 10.0  # idle time is not saved up into a burst
    assert [slots.take("p", 0.5) for _ in range(2)] == [0.0, 0.5]


def test_token_budget_waits_for_the_minute_to_have_room():
    from core.bulk.pacing import ProviderBudget

    slept = []
    budget = ProviderBudget(sleep=slept.append)
    assert budget.acquire("p", 1000, prompt_tokens=300, max_tokens=400) == 700 and slept == []
    budget.settle("p", 1000, charged=700, used=350, completion=50)  # answers are short: expect about 50 next
    assert budget.acquire("p", 1000, prompt_tokens=200, max_tokens=400) == 250 and slept == []
    budget.tokens.hit = lambda *args, **kwargs: bool(slept)  # full until it has waited once
    budget.acquire("p", 1000, prompt_tokens=200, max_tokens=400)
    assert len(slept) == 1 and 0 < slept[0] <= 60


def test_vendor_rate_limit_headers_hold_calls_before_the_429():
    from core.providers import headroom

    now = 1_000.0
    assert headroom.parse_duration("6m0s") == 360 and headroom.parse_duration("20ms") == 0.02
    assert headroom.parse_duration("1.5s") == 1.5 and headroom.parse_duration("soon") is None
    assert headroom.hold_for({"x-ratelimit-remaining-requests": "57", "x-ratelimit-reset-requests": "1s"}, now) == 0
    assert headroom.hold_for({"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "2.5s"}, now) == 2.5
    assert headroom.hold_for({"x-ratelimit-limit-tokens": "10000", "x-ratelimit-remaining-tokens": "150",
                              "x-ratelimit-reset-tokens": "800ms"}, now) == 0.8
    assert headroom.hold_for({"anthropic-ratelimit-requests-remaining": "0",
                              "anthropic-ratelimit-requests-reset": "1970-01-01T00:16:43Z"}, now) == 3.0
    assert headroom.hold_for({"retry-after-ms": "1500", "retry-after": "9"}, now) == 1.5
    assert headroom.hold_for({"retry-after": "Thu, 01 Jan 1970 00:16:50 GMT"}, now) == 10.0
    headroom.clear()
    headroom.observe("custom", {"retry-after": "0.3"})
    assert 0.2 < headroom.wait_seconds("custom") <= 0.3 and headroom.wait_seconds("openai") == 0
    assert 0.2 < headroom.wait_seconds("custom", paced=True) <= 0.3  # a Retry-After holds paced calls too
    headroom.clear()
    headroom.observe("custom", {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"})
    assert headroom.wait_seconds("custom") > 0.9
    assert headroom.wait_seconds("custom", paced=True) == 0, "a full window is the steady state of even pacing"
    headroom.clear()


def test_a_round_sends_its_first_row_alone_unless_the_provider_answered_lately(generator, engine, fake):
    from core.errors import QuotaExceededError

    fake.enqueue([blog_draft()] * 6)
    cold, _ = jobs.create_job(generator, _csv(*_topics(3)), "blog", "ana", FAST)
    assert run_job(generator, cold, timeout=60) == "finished"
    job = jobs.get_job(engine, cold)
    assert job.answered_at > job.started_at, "nothing had answered yet: the first row went out alone"

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
    fake.enqueue([quota])
    after_failure, _ = jobs.create_job(generator, _csv(*(f"Hill shoe guide number {i}" for i in range(4))), "blog",
                                       "ana", FAST)
    assert run_job(generator, after_failure, timeout=60) == "paused"
    assert len(fake.history) == 1 and jobs.get_job(engine, after_failure).answered_at is None

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


def test_a_worker_stopping_with_a_row_still_in_flight_leaves_its_lanes_to_be_recovered(generator, engine):
    worker = start_worker(generator)
    with durable._lanes:
        durable._lanes.active += 1  # a lane still on its row when the stop's wait ends
    try:
        durable.shutdown(wait_seconds=0)
    finally:
        with durable._lanes:
            durable._lanes.active -= 1
    with Session(engine) as session:
        [left] = session.exec(select(BulkWorker)).all()
    assert left.executor_id == worker.executor
    assert left.heartbeat_at < utcnow() - timedelta(seconds=durable.STALE_SECONDS), "stale: recovered by the others"
    other = start_worker(generator)
    durable._state["keeper"].recover_dead()
    with Session(engine) as session:
        assert [w.executor_id for w in session.exec(select(BulkWorker))] == [other.executor]


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
