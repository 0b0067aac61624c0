"""A provider nothing answers at (connection refused), or one that answers only server errors: a bulk job pauses
with a reason that says how to fix it, instead of spending every row's attempts; its rows stay pending and resume."""

import time

from core import config
from core.bulk import jobs
from core.bulk.worker import run_job
from core.db import engine_for, upgrade
from core.pipeline import Generator
from tests.net import free_port


def _csv(n: int) -> bytes:
    return ("topic,keywords,language\n"
            + "".join(f"Trail running guide number {i},trail running,en\n" for i in range(n))).encode()


def _generator(monkeypatch, **env) -> Generator:
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    config.get_settings.cache_clear()
    settings = config.get_settings()
    upgrade(settings.database_url)
    return Generator(settings, engine_for(settings.database_url))


def test_ollama_not_running_pauses_the_job_on_its_probe_row(monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    generator = _generator(monkeypatch, CONTENTCRAFT_PROVIDER="ollama", OLLAMA_HOST=url, CONTENTCRAFT_MAX_RETRIES=0,
                           CONTENTCRAFT_TIMEOUT=5)
    job_id, _ = jobs.create_job(generator, _csv(40), "blog", "ana",
                                jobs.JobOptions(concurrency=4, max_attempts=3, backoff_seconds=0.05))
    started = time.monotonic()
    assert run_job(generator, job_id) == "paused"
    assert time.monotonic() - started < 20
    state = jobs.progress(generator.engine, job_id)
    assert f"Can't reach Ollama at {url}" in state.pause_reason and "another provider" in state.pause_reason
    assert (state.pending, state.failed, state.succeeded) == (40, 0, 0)



def test_a_server_answering_only_500s_pauses_the_job_after_three_rows(monkeypatch):
    from tests.fault_server import FaultServer

    server = FaultServer(account="down")
    try:
        generator = _generator(monkeypatch, CONTENTCRAFT_PROVIDER="custom", CONTENTCRAFT_MAX_RETRIES=1,
                               CONTENTCRAFT_CUSTOM_BASE_URL=server.base_url, CONTENTCRAFT_TIMEOUT=5)
        job_id, _ = jobs.create_job(generator, _csv(30), "blog", "ana",
                                    jobs.JobOptions(concurrency=2, max_attempts=3, backoff_seconds=0.05))
        assert run_job(generator, job_id) == "paused"
    finally:
        server.close()
    state = jobs.progress(generator.engine, job_id)
    assert "server error (500)" in state.pause_reason
    assert state.succeeded == 0 and state.pending >= 28, "at most the first two rows spent their attempts"
    # 30 rows x 3 attempts x 2 tries before; now three attempts in a row and the ones out at the pause
    assert server.stats["requests"] <= 2 * (2 * 3 + 2)


def test_three_rows_in_a_row_failing_unreachable_make_a_streak(generator, engine):
    from datetime import timedelta

    from sqlalchemy import update

    from core.bulk.rows import outage_streak
    from core.bulk.models import BulkItem
    from core.db import session_scope
    from core.models import utcnow

    job_id, _ = jobs.create_job(generator, _csv(5), "blog", "ana")
    error = "Cannot reach openai: check the server address and network."

    def end(row: int, status: str, reason: str | None, seconds: int) -> None:
        with session_scope(engine) as session:
            session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == row).values(
                status=status, error=reason, finished_at=utcnow() + timedelta(seconds=seconds)))

    end(2, "failed", error, 1)
    assert not outage_streak(engine, job_id, error)  # one earlier row is not a streak
    end(3, "pending", error, 2)
    assert outage_streak(engine, job_id, error)
    end(4, "succeeded", None, 3)  # an answer in between breaks it
    assert not outage_streak(engine, job_id, error)


def test_a_rows_own_earlier_attempts_count_towards_the_streak(generator, engine):
    from sqlalchemy import update
    from sqlmodel import Session, select

    from core.bulk.models import BulkItem
    from core.bulk.rows import outage_streak
    from core.db import session_scope
    from core.models import utcnow

    job_id, _ = jobs.create_job(generator, _csv(3), "blog", "ana")
    error = "custom had a server error (500); try again shortly."
    with session_scope(engine) as session:
        session.execute(update(BulkItem).where(BulkItem.job_id == job_id).values(error=error))
        session.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == 3).values(
            status="pending", finished_at=utcnow()))
    with Session(engine) as session:
        row = session.exec(select(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == 2)).one()
    row.attempts = 1
    assert not outage_streak(engine, job_id, error, row), "one other row and a first attempt are two"
    row.attempts = 2
    assert outage_streak(engine, job_id, error, row), "its earlier attempt makes the third"
    assert not outage_streak(engine, job_id, "custom had a server error (502); try again shortly.", row)
