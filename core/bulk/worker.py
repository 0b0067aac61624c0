"""Bulk workers: inside the dashboard or a CLI run (`start_worker`), alone (`python -m core worker`), or
running one job to its end in the foreground (`run_job`). Any number of them share one database."""

import gc
import logging
import signal
import threading
import time
from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import select

from ..db import session_scope
from . import durable
from .jobs import get_job
from .models import BulkItem

log = logging.getLogger("contentcraft.bulk")
STOPPED = {"paused", "cancelled", "finished"}


class BulkWorker:
    """This process's bulk worker (a DBOS executor); `wake()` feeds newly queued jobs at once."""

    def __init__(self, generator):
        self.generator = generator
        self.executor = durable.launch(generator)

    def wake(self) -> None:
        """Look for queued jobs now instead of within a second (a job was just started or resumed)."""
        durable.wake()

    def stop(self, timeout: float | None = None) -> None:
        durable.shutdown()


def start_worker(generator) -> BulkWorker:
    """The process's worker for the generator's database, started on first call."""
    return BulkWorker(generator)


def stop_all(timeout: float | None = 10) -> None:
    """Stop this process's worker (tests, and a clean shutdown); its rows in flight are recovered later."""
    durable.shutdown()


def running_rows(engine, job_id: int) -> int:
    with session_scope(engine) as session:
        return session.execute(select(func.count()).where(BulkItem.job_id == job_id,
                                                          BulkItem.status == "running")).scalar_one()


def run_job(generator, job_id: int, poll: float = 0.05, timeout: float | None = None,
            on_progress: Callable[[], None] | None = None) -> str:
    """Run this process as a worker until the job stops (finished, paused or cancelled with no row in
    flight); returns its status. Other workers may share the rows; `on_progress` is called every poll."""
    from .flow import submit_queued_jobs

    start_worker(generator)
    submit_queued_jobs(generator.engine)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = get_job(generator.engine, job_id).status
        if status in STOPPED and not running_rows(generator.engine, job_id):
            return status
        if deadline is not None and time.monotonic() > deadline:
            return status
        if on_progress is not None:
            on_progress()
        time.sleep(poll)


def _warm_up(generator) -> None:
    """Import and build what a first row would, so the first rows are not late for their send slots (the
    language identifier the quality gate uses takes seconds to load)."""
    from ..language import detect
    from ..providers import get_provider, provider_classes

    detect("A sentence long enough for the language identifier to load its model now, not on a first row.")

    for name, cls in provider_classes().items():
        if not hasattr(cls, "client"):  # the local model loads on its first row, not in every worker
            continue
        try:
            getattr(get_provider(name, generator.settings), "client", None)
        except Exception:  # a provider without a key or a server here: it builds on first use, if ever
            continue


def serve(generator, stop: threading.Event | None = None) -> None:
    """Run queued bulk work until SIGTERM or SIGINT (`python -m core worker`); no dashboard needed."""
    stop = stop or threading.Event()
    _warm_up(generator)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = start_worker(generator)
    # What startup built (modules, DBOS, SQLAlchemy) lives as long as the process: full collections need not
    # walk it. Unfrozen, each took 0.2-0.3 s with the GIL held, stalling every lane's call at once.
    gc.freeze()
    log.info("bulk worker serving", extra={"event": "bulk_worker_serving", "executor": worker.executor})
    try:
        while not stop.wait(1.0):
            pass
    finally:
        worker.stop()
