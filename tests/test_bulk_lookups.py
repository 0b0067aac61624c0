"""Bulk rows claimed in one statement and reusing a few seconds' look-ups, still stopping when they must."""

import time

from sqlalchemy import update
from sqlmodel import Session, select

from core.analytics import budgets
from core.bulk import jobs, rows
from core.bulk.claim import claim_row, take_next_row
from core.bulk.models import BulkItem, BulkJob
from core.bulk.worker import run_job, stop_all
from core.reuse import recent, reusing
from tests.conftest import FakeProvider
from tests.samples import blog_draft
from tests.test_analytics import add_rows

FAST = jobs.JobOptions(provider="fake", concurrency=1, backoff_seconds=0.01, max_attempts=1)


def _csv(n: int) -> bytes:
    return ("topic,keywords\n" + "".join(f"Running shoe guide number {i},shoes\n" for i in range(n))).encode()


def _running(engine, job_id: int) -> None:
    with Session(engine) as session:
        session.execute(update(BulkJob).where(BulkJob.id == job_id).values(status="running", round=1))
        session.commit()


def test_rows_are_taken_in_order_once_each_and_not_after_a_pause(generator, engine):
    job_id, _ = jobs.create_job(generator, _csv(3), "blog", "ana", FAST)
    _running(engine, job_id)
    first = claim_row(engine, job_id, 1, "lane-a")
    assert first["status"] == "row" and first["row"] == 2
    facts = first["job"]
    assert take_next_row(engine, job_id, 1, "lane-b", facts, 2) is None, "the last rows wait for idle lanes"
    second = take_next_row(engine, job_id, 1, "lane-b", facts, 1)
    job, item = second["loaded"]
    assert (second["row"], item.attempts, item.input_json["topic"], job.created_by) == (
        3, 1, "Running shoe guide number 1", "ana")
    assert take_next_row(engine, job_id, 2, "lane-a", facts, 0) is None, "another round's lane takes nothing"
    jobs.pause_job(engine, job_id)
    assert take_next_row(engine, job_id, 1, "lane-a", facts, 0) is None, "a paused job gives no row"
    with Session(engine) as session:
        rows = {i.row_number: (i.status, i.workflow_id) for i in session.exec(select(BulkItem))}
    assert rows == {2: ("running", "lane-a"), 3: ("running", "lane-b"), 4: ("pending", None)}


def test_look_ups_are_reused_only_inside_a_bulk_row_and_only_for_seconds():
    calls = []
    look_up = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert (recent("k", look_up), recent("k", look_up)) == (1, 2), "outside a bulk row: always fresh"
    with reusing(0.2):
        assert (recent("k", look_up), recent("k", look_up)) == (3, 3)
        time.sleep(0.25)
        assert recent("k", look_up) == 4


def test_a_budget_spent_mid_job_stops_its_rows_within_seconds(generator, engine, fake, monkeypatch):
    budgets.set_budget(engine, None, "ana", 10)
    budgets.set_policy(engine, None, hard_limits=True)
    fake.enqueue([blog_draft()] * 60)
    spent_at = []
    original = FakeProvider.execute

    def slow_then_spent(self, *args):
        time.sleep(0.05)
        if len(FakeProvider.history) == 3:
            add_rows(engine, dict(user="ana", created_at=budgets.utcnow(), cost_usd=20.0))
            spent_at.append(time.monotonic())
        yield from original(self, *args)

    monkeypatch.setattr(FakeProvider, "execute", slow_then_spent)
    job_id, _ = jobs.create_job(generator, _csv(60), "blog", "ana", FAST)
    try:
        assert run_job(generator, job_id, timeout=60) == "finished"
    finally:
        stop_all()
    calls_after = len(FakeProvider.history) - 3
    state = jobs.progress(engine, job_id)
    assert state.failed > 0 and state.succeeded + state.failed == 60
    assert calls_after <= rows.REUSE_SECONDS / 0.05 + 2, "rows went on well past the reuse window"
    failed = [r for r in jobs.items(engine, job_id) if r["status"] == "failed"]
    assert all("monthly budget" in r["error"] for r in failed)


def test_after_a_rate_limit_429_sends_are_spaced_a_little_wider_for_a_while():
    from core.bulk import pacing
    from core.providers import headroom

    headroom.clear()
    now = [100.0]
    budget = pacing.ProviderBudget(sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    budget.slots = pacing.MemorySlots(clock=lambda: now[0])

    def gap() -> float:
        """Seconds from the last send to this one, when it is sent as soon as it may."""
        start = now[0]
        budget.before_send("p", 60)
        return round(now[0] - start, 3)

    try:
        budget.before_send("p", 60)
        assert gap() == round(1 + pacing.MARGIN, 3)
        headroom.observe("p", {"x-should-retry": "false"}, 429)  # out of quota: not a pacing problem
        assert gap() == round(1 + pacing.MARGIN, 3)
        headroom.observe("p", {}, 429)
        gap()  # the slot after the last send was set before the 429
        assert gap() == round(1 + pacing.LIMITED_MARGIN, 3)
        assert not headroom.limited_within("other", 60)
    finally:
        headroom.clear()
