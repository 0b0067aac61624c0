"""The background worker: one per process, outside any browser session, running queued jobs."""

import logging
import threading

from . import claims
from .runner import JobRunner

log = logging.getLogger("contentcraft.bulk")
POLL_SECONDS = 2.0
_workers: dict[str, "BulkWorker"] = {}
_workers_lock = threading.Lock()


class BulkWorker:
    """Picks up queued jobs (and jobs whose runner died) and runs them one after another."""

    def __init__(self, generator, poll: float = POLL_SECONDS):
        self.generator, self.poll = generator, poll
        self.stop_event, self.wake_event = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run_forever, name="contentcraft-bulk-worker", daemon=True)
        self.current_job: int | None = None

    def start(self) -> "BulkWorker":
        self.thread.start()
        return self

    def wake(self) -> None:
        """Look for work now instead of at the next poll (a job was just queued or resumed)."""
        self.wake_event.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the items in flight finish."""
        self.stop_event.set()
        self.wake_event.set()
        self.thread.join(timeout)

    def _run_forever(self) -> None:
        while not self.stop_event.is_set():
            try:
                ran = self.run_pending()
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("bulk worker error", extra={"event": "bulk_worker_error"})
                ran = False
            if not ran:
                self.wake_event.wait(self.poll)
                self.wake_event.clear()

    def run_pending(self) -> bool:
        """Run every job that is waiting for a runner; whether any ran."""
        ran = False
        for job_id in claims.runnable_jobs(self.generator.engine):
            if self.stop_event.is_set():
                break
            self.current_job = job_id
            try:
                JobRunner(self.generator, job_id, stop=self.stop_event).run()
            finally:
                self.current_job = None
            ran = True
        return ran


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
