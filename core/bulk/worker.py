"""The background worker: one per process, outside any browser session, running queued jobs."""

import logging
import threading
import time

from . import claims
from .runner import JobRunner

log = logging.getLogger("contentcraft.bulk")
# Jobs queued from the dashboard wake the worker at once; the poll finds jobs left by a restart or the CLI.
POLL_SECONDS = 15.0
MAX_PARALLEL_JOBS = 4
_workers: dict[str, "BulkWorker"] = {}
_workers_lock = threading.Lock()


class BulkWorker:
    """Picks up queued jobs (and jobs whose runner died) and runs up to MAX_PARALLEL_JOBS at once.

    Jobs on the same provider share its limiter, so running several side by side splits the provider's
    allowance between them instead of making one user's small job wait behind another's big one.
    """

    def __init__(self, generator, poll: float = POLL_SECONDS, max_jobs: int = MAX_PARALLEL_JOBS):
        self.generator, self.poll, self.max_jobs = generator, poll, max_jobs
        self.stop_event, self.wake_event = threading.Event(), threading.Event()
        self.active: dict[int, threading.Thread] = {}
        self.lock = threading.Lock()  # guards active: runner threads take themselves out when they end
        self.cooldown: dict[int, float] = {}  # job id → when a crashed runner may be retried
        self.thread = threading.Thread(target=self._run_forever, name="contentcraft-bulk-worker", daemon=True)

    def start(self) -> "BulkWorker":
        self.thread.start()
        return self

    def wake(self) -> None:
        """Look for work now instead of at the next poll (a job was just queued or resumed)."""
        self.wake_event.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking rows; jobs stop after the rows in flight finish."""
        self.stop_event.set()
        self.wake_event.set()
        self.thread.join(timeout)
        for thread in list(self.active.values()):
            thread.join(timeout)

    def _run_forever(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.start_pending()
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("bulk worker error", extra={"event": "bulk_worker_error"})
            self.wake_event.wait(self.poll)
            self.wake_event.clear()

    def start_pending(self) -> list[int]:
        """Start a runner thread for each job waiting for one, up to the limit; the ids started."""
        started = []
        with self.lock:
            self.active = {job_id: t for job_id, t in self.active.items() if t.is_alive()}
            for job_id in claims.runnable_jobs(self.generator.engine):
                if self.stop_event.is_set() or len(self.active) >= self.max_jobs:
                    break
                if job_id in self.active or self.cooldown.get(job_id, 0) > time.monotonic():
                    continue
                thread = threading.Thread(target=self._run_job, args=(job_id,),
                                          name=f"contentcraft-bulk-job-{job_id}", daemon=True)
                self.active[job_id] = thread
                thread.start()
                started.append(job_id)
        return started

    def _run_job(self, job_id: int) -> None:
        try:
            JobRunner(self.generator, job_id, stop=self.stop_event).run()
        except Exception:
            log.exception("bulk job runner failed", extra={"event": "bulk_runner_error"})
            self.cooldown[job_id] = time.monotonic() + self.poll
        finally:
            # Leave `active` before waking: a job queued again while this thread was still ending (a retry
            # right after it finished) would otherwise be skipped as running and wait a whole poll.
            with self.lock:
                if self.active.get(job_id) is threading.current_thread():
                    del self.active[job_id]
            self.wake_event.set()  # a slot is free: look for the next job


def start_worker(generator) -> BulkWorker:
    """The process's worker for this database, started on first call."""
    url = generator.settings.database_url
    with _workers_lock:
        worker = _workers.get(url)
        if worker is None or not worker.thread.is_alive():
            worker = _workers[url] = BulkWorker(generator).start()
        return worker


def stop_all(timeout: float | None = 10) -> None:
    """Stop every worker this process started (tests, and a clean shutdown)."""
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for worker in workers:
        worker.stop(timeout)
