"""Bulk jobs scaled out: `python -m core worker` processes on a real Postgres (and Redis) on 127.0.0.1.

* three workers, one SIGKILLed mid-job: every row is saved and logged exactly once and the job finishes,
  while a second "dashboard" process follows the job's progress live;
* three workers against a server enforcing 120 RPM over 1-second windows: no 429, and the job takes
  about N/RPM (the 1.1x goal is measured in benchmarks/bulk_throughput.py).
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, func, select

from core import config
from core.bulk import jobs
from core.bulk.models import BulkItem, BulkWorker
from core.db import make_engine, upgrade
from core.models import ContentItem, GenerationLog
from core.pipeline import Generator
from tests.fault_server import FaultServer
from tests.postgres import postgres_server
from tests.test_config_cache_limits import redis_url  # noqa: F401  (a fixture: a real redis-server)

pytestmark = pytest.mark.slow
pytest.importorskip("psycopg", reason='the Postgres checks need `pip install "psycopg[binary]==3.3.9"`')
ROOT = Path(__file__).resolve().parent.parent
ROWS = 60  # 30 s at 120 RPM: long enough that a worker's start-up is not most of the margin
WATCH = """
import json, sys, time
from core.bulk.jobs import progress
from core.db import make_engine
engine = make_engine(sys.argv[1])
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    state = progress(engine, int(sys.argv[2]))
    print(json.dumps({"done": state.done, "total": state.total, "status": state.status}), flush=True)
    if state.status == "finished":
        break
    time.sleep(0.2)
"""


@pytest.fixture(scope="module")
def cluster():
    with postgres_server(max_connections=200) as url:
        yield url


def database(cluster: str, name: str) -> str:
    """A new, migrated database in the cluster; its URL."""
    admin = create_engine(cluster, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = cluster.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def start_workers(env: dict, count: int, folder: Path, engine, running: int = 0) -> list[subprocess.Popen]:
    """`python -m core worker` processes, each started once the one before has registered (`running`: how many
    have already)."""
    workers = []
    for index in range(running, running + count):
        log = open(folder / f"worker-{index}.log", "w")
        workers.append(subprocess.Popen([sys.executable, "-m", "core", "worker"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 60
        while _count(engine, BulkWorker) < index + 1:
            assert time.monotonic() < deadline and workers[-1].poll() is None, (folder / f"worker-{index}.log").read_text()
            time.sleep(0.1)
    return workers


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _environment(monkeypatch, url: str, server: FaultServer, **extra: str) -> dict:
    values = {"CONTENTCRAFT_DATABASE_URL": url, "CONTENTCRAFT_CUSTOM_BASE_URL": server.base_url,
              "CONTENTCRAFT_PROVIDER": "custom",
              "CONTENTCRAFT_TIMEOUT": "20", "CONTENTCRAFT_CACHE_TTL": "0", "PYTHONPATH": str(ROOT), **extra}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()
    return dict(os.environ)


def _rows(prefix: str, n: int) -> tuple[list[str], bytes]:
    topics = [f"{prefix} guide number {i}" for i in range(n)]
    return topics, ("topic,language\n" + "".join(f"{t},en\n" for t in topics)).encode()


def _slow_calls_on_workers(cluster, name: str, count: int, folder: Path, monkeypatch) -> tuple:
    """A new database with `count` workers on it and a server answering in 0.3 s: (server, env, engine, workers)."""
    url = database(cluster, name)
    server = FaultServer(latency=0.3)
    env = _environment(monkeypatch, url, server)
    engine = make_engine(url)
    return server, env, engine, start_workers(env, count, folder, engine)


def _underway(engine, prefix: str, rows: int, succeeded: int) -> tuple[list[str], int]:
    """A job of `rows` rows on four lanes, once `succeeded` of them have: (its topics, its id)."""
    topics, data = _rows(prefix, rows)
    job_id, _ = jobs.create_job(Generator(), data, "blog", "ana", jobs.JobOptions(provider="custom", concurrency=4))
    deadline = time.monotonic() + 120
    while jobs.progress(engine, job_id).succeeded < succeeded:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return topics, job_id


def _wait_finished(engine, job_id: int, timeout: float, workers) -> jobs.Progress:
    deadline = time.monotonic() + timeout
    while (state := jobs.progress(engine, job_id)).status != "finished":
        assert time.monotonic() < deadline, f"job stuck: {state}"
        assert any(w.poll() is None for w in workers)
        time.sleep(0.2)
    return state


def test_three_workers_one_killed_every_row_exactly_once_and_progress_is_live_elsewhere(cluster, tmp_path,
                                                                                        monkeypatch):
    url = database(cluster, "killed")
    server = FaultServer(latency=0.3)
    env = _environment(monkeypatch, url, server)
    engine = make_engine(url)
    workers = start_workers(env, 3, tmp_path, engine)
    try:
        topics, data = _rows("Trail running", 200)
        job_id, _ = jobs.create_job(Generator(), data, "blog", "ana", jobs.JobOptions(provider="custom",
                                                                                      concurrency=6))
        watcher = subprocess.Popen([sys.executable, "-c", WATCH, url, str(job_id)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 180
        while jobs.progress(engine, job_id).succeeded < 50:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with engine.connect() as connection:  # a worker with rows in flight right now
            busy = connection.execute(text(
                "SELECT executor_id FROM dbos.workflow_status WHERE status = 'PENDING' "
                "AND name = 'contentcraft.bulk.run_lane' LIMIT 1")).scalar_one()
        victim = next(w for w in workers if f":{w.pid}:" in busy)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        state = _wait_finished(engine, job_id, 240, workers)
        seen = [json.loads(line) for line in watcher.communicate(timeout=60)[0].splitlines()]
    finally:
        stop(workers)
        server.close()
    assert (state.succeeded, state.failed, state.remaining) == (200, 0, 0)
    with Session(engine) as session:
        titles = list(session.exec(select(ContentItem.title)))
    assert sorted(titles) == sorted(topics)  # each row's content saved once
    assert _count(engine, GenerationLog, GenerationLog.type == "bulk", GenerationLog.status == "succeeded") == 200
    assert len({row["content_item_id"] for row in jobs.items(engine, job_id)}) == 200
    assert any(0 < s["done"] < 200 for s in seen) and seen[-1] == {"done": 200, "total": 200, "status": "finished"}


def test_three_workers_share_the_providers_limit_without_a_429(cluster, redis_url, tmp_path, monkeypatch):  # noqa: F811
    url = database(cluster, "paced")
    server = FaultServer(latency=0.05, rpm=120, window=1.0)  # 2 per any 1-second window
    env = _environment(monkeypatch, url, server, CONTENTCRAFT_REDIS_URL=redis_url)
    engine = make_engine(url)
    workers = start_workers(env, 3, tmp_path, engine)
    try:
        _, data = _rows("Road running", ROWS)
        job_id, _ = jobs.create_job(Generator(), data, "blog", "ana", jobs.JobOptions(provider="custom",
                                                                                      concurrency=8, rpm=120))
        state = _wait_finished(engine, job_id, 180, workers)
        with engine.connect() as connection:
            executors = connection.execute(text(
                "SELECT count(DISTINCT executor_id) FROM dbos.workflow_status "
                "WHERE name = 'contentcraft.bulk.run_lane'")).scalar_one()
    finally:
        stop(workers)
        server.close()
    assert executors >= 2, "the rows were shared by the workers"
    assert state.succeeded == ROWS and server.stats["429_rate_limit"] == 0 and server.stats["requests"] == ROWS
    with Session(engine) as session:
        first = session.exec(select(func.min(BulkItem.started_at))).one()
        last = session.exec(select(func.max(BulkItem.finished_at))).one()
    # Shared, not multiplied nor serialised: three private limits would take a third of this, one worker per
    # slot three times as long. The 1.1x goal itself is timed in benchmarks/bulk_throughput.py, not here.
    assert (last - first).total_seconds() <= 1.5 * ROWS / 120 * 60


def test_a_worker_stopped_cleanly_hands_its_lanes_to_the_others_at_once(cluster, tmp_path, monkeypatch):
    server, env, engine, workers = _slow_calls_on_workers(cluster, "handover", 2, tmp_path, monkeypatch)
    try:
        topics, job_id = _underway(engine, "Hill running", 80, 12)
        leaving = workers[0]
        leaving.send_signal(signal.SIGTERM)
        leaving.wait(20)
        running, watched = [], time.monotonic() + 2.0  # the sweep that fed a job again took 5 s and more
        while time.monotonic() < watched:
            with Session(engine) as session:  # lanes holding rows (a lane may hold the next row while one is saved)
                running.append(session.exec(select(func.count(func.distinct(BulkItem.workflow_id))).where(
                    BulkItem.job_id == job_id, BulkItem.status == "running")).one())
            time.sleep(0.05)
        state = _wait_finished(engine, job_id, 120, workers[1:])
        with engine.connect() as connection:
            lanes = connection.execute(text(
                "SELECT executor_id, count(*) FROM dbos.workflow_status WHERE name = 'contentcraft.bulk.run_lane' "
                "GROUP BY executor_id")).all()
    finally:
        stop(workers)
        server.close()
    assert max(running) == 4, f"the worker left running holds all four lanes within 2 s: {running}"
    assert (state.succeeded, state.failed) == (80, 0) and server.stats["requests"] == 80
    with Session(engine) as session:
        assert sorted(session.exec(select(ContentItem.title))) == sorted(topics)
    assert len(lanes) == 2 and sum(count for _executor, count in lanes) == 4 + 2, "two lanes were handed over"


def test_a_worker_that_joins_takes_its_share_of_a_running_jobs_lanes(cluster, tmp_path, monkeypatch):
    server, env, engine, workers = _slow_calls_on_workers(cluster, "joining", 1, tmp_path, monkeypatch)
    try:
        _topics, job_id = _underway(engine, "Trail running", 160, 8)
        workers += start_workers(env, 1, tmp_path, engine, running=1)
        joined_at = jobs.progress(engine, job_id).done
        state = _wait_finished(engine, job_id, 120, workers)
        with engine.connect() as connection:
            lanes = dict(connection.execute(text(
                "SELECT workflow_uuid, executor_id FROM dbos.workflow_status "
                "WHERE name = 'contentcraft.bulk.run_lane'")).all())
    finally:
        stop(workers)
        server.close()
    assert joined_at < 140, "the job was still running when the second worker joined"
    assert (state.succeeded, state.failed) == (160, 0) and server.stats["requests"] == 160
    kept = [executor for lane, executor in lanes.items() if not any(o.startswith(lane + "-") for o in lanes)]
    assert len(kept) == 4 and sorted(Counter(kept).values()) == [2, 2], f"two of four lanes each at the end: {lanes}"


def test_a_pooled_connection_is_pinged_only_after_being_idle_and_replaced_if_dead(cluster, monkeypatch):
    from core import db

    engine = make_engine(database(cluster, "pings"))
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or real_ping(connection))
    with engine.connect() as connection:
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    for _ in range(3):  # back in the pool a moment ago: no round trip before use
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
    assert pings == []
    admin = create_engine(cluster, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # the server drops it while it sits idle (a restart, a firewall)
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.0)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    assert pings == [1]
    engine.dispose()
