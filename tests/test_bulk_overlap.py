"""A lane's next row goes out while the previous one is saved, never two calls of a lane at once, and a row taken
ahead still honours a pause (DBOS on SQLite, the fake provider)."""

import threading
import time

import pytest

from core.bulk import durable, jobs, rows
from core.bulk.worker import run_job, start_worker
from core.errors import QuotaExceededError
from tests.conftest import FakeProvider
from tests.net import wait_for
from tests.samples import blog_draft

ONE_LANE = jobs.JobOptions(provider="fake", concurrency=1, backoff_seconds=0.01, max_attempts=3)


def _csv(n: int) -> bytes:
    return ("topic,keywords\n" + "".join(f"Running shoe guide number {i},shoes\n" for i in range(n))).encode()


pytestmark = pytest.mark.usefixtures("stop_bulk_workers")


def _items(engine, job_id) -> dict[int, dict]:
    return {row["row"]: row for row in jobs.items(engine, job_id)}


def test_the_next_call_goes_out_while_the_previous_row_is_saved_never_two_at_once(generator, engine, fake,
                                                                                  monkeypatch):
    fake.enqueue([blog_draft()] * 4)
    lock, out, most, calls, saved = threading.Lock(), [0], [0], [], []
    original, real_score = FakeProvider.execute, rows.record_score

    def counted(self, *args):
        with lock:
            out[0] += 1
            most[0] = max(most[0], out[0])
            calls.append(time.monotonic())
        time.sleep(0.05)
        try:
            yield from original(self, *args)
        finally:
            with lock:
                out[0] -= 1

    def slow_save(*args):
        time.sleep(0.3)
        real_score(*args)
        saved.append(time.monotonic())

    monkeypatch.setattr(FakeProvider, "execute", counted)
    monkeypatch.setattr(rows, "record_score", slow_save)
    job_id, _ = jobs.create_job(generator, _csv(4), "blog", "ana", ONE_LANE)
    assert run_job(generator, job_id, timeout=60) == "finished"
    assert most[0] == 1, "a lane has one call out at a time"
    assert len(calls) == 4 and len(saved) == 4
    # The round's first row is saved before the next goes out (the probe); after it, each call leaves while the
    # row before it is still being saved.
    assert all(calls[k + 1] < saved[k] for k in (1, 2))


def test_a_row_taken_ahead_is_not_sent_once_the_call_before_it_ran_out_of_quota(generator, engine, fake):
    fake.enqueue([blog_draft(), QuotaExceededError("The fake account has no quota left: check billing.")])
    job_id, _ = jobs.create_job(generator, _csv(5), "blog", "ana", ONE_LANE)
    assert run_job(generator, job_id, timeout=60) == "paused"
    assert len(fake.history) == 2, "the row waiting for the slot learnt of the pause before sending"
    items = _items(engine, job_id)
    assert [items[r]["status"] for r in sorted(items)] == ["succeeded"] + ["pending"] * 4
    assert all(items[r]["attempts"] == 0 for r in sorted(items)[1:]), "the pause spends no attempt"


@pytest.mark.parametrize("call_seconds", [0.2, 1.2])
def test_a_pause_during_a_call_reaches_the_row_waiting_behind_it(generator, engine, fake, monkeypatch,
                                                                 call_seconds):
    fake.enqueue([blog_draft()] * 5)
    original = FakeProvider.execute
    job_id, _ = jobs.create_job(generator, _csv(5), "blog", "ana", ONE_LANE)

    def slow(self, *args):
        if len(FakeProvider.history) == 2:  # the third row's call: the fourth is taken and waits behind it
            jobs.pause_job(engine, job_id)
        time.sleep(call_seconds)
        yield from original(self, *args)

    monkeypatch.setattr(FakeProvider, "execute", slow)
    assert run_job(generator, job_id, timeout=60) == "paused"
    items = _items(engine, job_id)
    assert [items[r]["status"] for r in sorted(items)] == ["succeeded"] * 3 + ["pending"] * 2
    assert len(fake.history) == 3 and items[max(items)]["attempts"] == 0


def test_a_stopping_worker_hands_back_the_row_waiting_behind_its_call(generator, engine, fake, monkeypatch):
    fake.enqueue([blog_draft()] * 5)
    original, stopper = FakeProvider.execute, []

    def slow(self, *args):
        if len(FakeProvider.history) == 2:  # the third row's call: the fourth is taken and waits behind it
            stopping = threading.Thread(target=durable.shutdown)
            stopping.start()
            stopper.append(stopping)  # once started: the test joins it as soon as it is here
        time.sleep(0.6)
        yield from original(self, *args)

    monkeypatch.setattr(FakeProvider, "execute", slow)
    job_id, _ = jobs.create_job(generator, _csv(5), "blog", "ana", ONE_LANE)
    start_worker(generator)
    wait_for(lambda: bool(stopper), "the third call")
    stopper[0].join(30)
    items = _items(engine, job_id)
    assert len(fake.history) == 3, "the stopping worker sent no row after the call it was on"
    assert [items[r]["status"] for r in sorted(items)] == ["succeeded"] * 3 + ["pending"] * 2
    assert items[max(items) - 1]["attempts"] == 0, "the row handed back spent no attempt"
