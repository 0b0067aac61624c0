"""Durable bulk rows (DBOS on SQLite) through crashes: a row saved once however often its lane runs, rows of dead,
failed and stopping lanes and workers ended or recovered, and the worker that feeds queued jobs."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from core.bulk import durable, flow, jobs
from core.bulk import rows as bulk_rows
from core.bulk.export import results_frame
from core.bulk.models import BulkWorker
from core.bulk.worker import run_job, start_worker, stop_all
from core.models import ContentItem, GenerationLog, utcnow
from tests.net import wait_for
from tests.samples import blog_draft, product_draft
from tests.test_bulk_jobs import FAST, _count, _csv, _statuses, _topics


pytestmark = pytest.mark.usefixtures("stop_bulk_workers")


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


def test_only_the_lanes_over_a_workers_fresh_share_leave_it():
    queue = "contentcraft-bulk-share-test"
    with durable.lane_running(queue) as first, durable.lane_running(queue) as second, \
            durable.lane_running(queue) as third:
        with durable._lanes:
            durable._lanes.share[queue] = (1, durable._lanes.started[queue] - 1)
        assert not any(stopped() for stopped in (first, second, third)), "a share older than the lanes is stale"
        with durable._lanes:
            durable._lanes.share[queue] = (1, durable._lanes.started[queue] + 1)
        assert [first(), second(), third()] == [True, True, False], "two leave, one stays"
        assert first() and not third(), "a lane that left stays gone; the one left keeps going"
    with durable._lanes:
        assert durable._lanes.on[queue] == 0
        durable._lanes.share.pop(queue)


@pytest.mark.slow
def test_the_dashboard_server_runs_queued_jobs_with_no_browser_open(tmp_path):
    """After a restart nobody may open the dashboard for hours: `make run`'s server starts its worker itself."""
    import os

    from cryptography.fernet import Fernet

    from core.bulk.jobs import JobOptions
    from core.db import engine_for, upgrade
    from core.pipeline import Generator
    from tests.browser import streamlit_server
    from tests.fault_server import FaultServer

    database, server = f"sqlite:///{tmp_path / 'restart.db'}", FaultServer()
    upgrade(database)
    engine = engine_for(database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
    env.update(CONTENTCRAFT_DATABASE_URL=database, CONTENTCRAFT_PROVIDER="custom",
               CONTENTCRAFT_CUSTOM_BASE_URL=server.base_url, CONTENTCRAFT_SECRET_KEY=Fernet.generate_key().decode())
    try:
        with streamlit_server("server.py", env):
            job_id, _ = jobs.create_job(Generator(engine=engine), _csv(*_topics(3)), "blog", "ana",
                                        JobOptions(provider="custom", concurrency=2))
            wait_for(lambda: jobs.get_job(engine, job_id).status == "finished", "the job finishing", timeout=60)
        assert jobs.progress(engine, job_id).succeeded == 3 and server.stats["requests"] == 3
    finally:
        server.close()
        engine.dispose()
