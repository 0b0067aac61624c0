"""Runs one job's items concurrently, at the provider's pace, retrying what is worth retrying."""

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime

from ..errors import ACCOUNT_ERRORS
from ..models import utcnow
from ..providers import provider_classes
from ..schemas import ContentRequest, ProductRequest
from . import claims
from .jobs import JobOptions, get_job
from .limiter import limiter_for, paced
from ..i18n import _

log = logging.getLogger("contentcraft.bulk")
HEARTBEAT_SECONDS = 1.0
IDLE_POLL_SECONDS = 0.5


def effective_concurrency(options: JobOptions) -> int:
    """The job's concurrency, capped by the provider's own limit (the local model runs one at a time)."""
    provider_cls = provider_classes().get(options.provider or "")
    cap = getattr(provider_cls, "max_concurrency", None)
    return min(options.concurrency, cap) if cap else options.concurrency


def backoff_seconds(attempt: int, options: JobOptions, retry_after: float | None) -> float:
    """Exponential backoff with jitter after `attempt` failures, never shorter than Retry-After."""
    delay = min(options.max_backoff_seconds, options.backoff_seconds * 2 ** (attempt - 1))
    delay *= random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


class JobRunner:
    """Executes one job until it is done, paused, cancelled or its lease is lost.

    The calling thread claims items and renews the lease; a thread pool generates them. Every state
    change is written to the database as it happens, so a killed process loses nothing.
    """

    def __init__(self, generator, job_id: int, owner: str | None = None, stop: threading.Event | None = None,
                 on_progress: Callable[[], None] | None = None):
        self.generator, self.engine, self.job_id = generator, generator.engine, job_id
        self.owner = owner or claims.new_owner()
        self.stop = stop or threading.Event()
        self.on_progress = on_progress
        job = get_job(self.engine, job_id)
        self.kind, self.author = job.kind, job.created_by
        self.options = JobOptions.model_validate(job.settings_json)
        self.options.provider = self.options.provider or generator.settings.provider
        self.concurrency = effective_concurrency(self.options)
        # Slow start: one row alone until one comes back without an account error, so a key with no
        # quota costs one request, not one per concurrent row.
        self.probed = threading.Event()
        self.account_failed = threading.Event()  # set when a row paused the job: claim nothing more
        self.limiter = limiter_for(self.options.provider, self.options.rpm, self.options.tpm)

    def run(self) -> str:
        """Claim the job and work through it; returns the job's status when this runner stops."""
        if not claims.claim_job(self.engine, self.job_id, self.owner):
            return get_job(self.engine, self.job_id).status
        log.info("bulk job started", extra={"event": "bulk_job_started", "type": self.kind})
        try:
            self._loop()
        finally:
            status = claims.release_job(self.engine, self.job_id, self.owner)
            claims.forget_owner(self.owner)
        log.info("bulk job stopped", extra={"event": "bulk_job_stopped", "status": status})
        return status

    def _loop(self) -> None:
        inflight: set[Future] = set()
        last_beat = 0.0
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix=f"bulk-{self.job_id}") as pool:
            while True:
                if time.monotonic() - last_beat >= HEARTBEAT_SECONDS or not inflight:
                    status, last_beat = claims.heartbeat(self.engine, self.job_id, self.owner), time.monotonic()
                    if status != "running" or self.stop.is_set():
                        break
                if self.account_failed.is_set():
                    break
                free = (self.concurrency if self.probed.is_set() else 1) - len(inflight)
                if free > 0:
                    for item in claims.claim_items(self.engine, self.job_id, free):
                        inflight.add(pool.submit(self._run_item, item))
                if not inflight:
                    due = claims.next_due(self.engine, self.job_id)
                    if due is None:
                        break
                    self.stop.wait(_seconds_until(due, cap=IDLE_POLL_SECONDS))
                    continue
                done, inflight = wait(inflight, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
                inflight = set(inflight)
                for future in done:
                    future.result()
                if done and self.on_progress:
                    self.on_progress()
            wait(inflight)

    def _run_item(self, item: claims.Claimed) -> None:
        try:
            request = (ContentRequest if self.kind == "blog" else ProductRequest).model_validate(item.request)
            with paced(self.limiter, self.generator.settings.max_tokens):
                response = self.generator.generate(request, self.author, provider=self.options.provider,
                                                   model=self.options.model, save=False, count_rate_limit=False,
                                                   log_type="bulk")
        except Exception:  # a bug must fail one row, not stop the job
            log.exception("bulk item crashed", extra={"event": "bulk_item_crashed"})
            claims.finish_failed(self.engine, item, _("An unexpected error stopped this row: retry it, and tell "
                                                      "your admin if it fails again."), 0)
            return
        if response.error_kind in ACCOUNT_ERRORS:
            self.account_failed.set()
            claims.pause_for_account(self.engine, self.job_id, item, response.error)
            log.warning("bulk job paused: provider account", extra={"event": "bulk_job_account_paused"})
            return
        self.probed.set()
        if response.status in ("succeeded", "needs_review"):  # needs_review: saved, counted apart, retryable
            saved = claims.finish_succeeded(self.engine, item, _content_type(self.kind), self.author, response,
                                            note=f"bulk job #{self.job_id}, row {item.row}")
            if not saved:
                log.warning("bulk item result dropped: its lease was lost", extra={"event": "bulk_item_stale"})
            return
        if response.retry_after:
            self.limiter.pause(response.retry_after)
        retry_in = None
        if response.retryable and item.attempts < self.options.max_attempts:
            retry_in = backoff_seconds(item.attempts, self.options, response.retry_after)
        error = response.error or "Generation failed."
        if response.retryable and retry_in is None:
            error = _("{error} (gave up after {attempts} attempts)").format(error=error, attempts=item.attempts)
        claims.finish_failed(self.engine, item, error, response.latency_ms, retry_in)


def _content_type(kind: str) -> str:
    return "content" if kind == "blog" else "product"


def _seconds_until(moment: datetime | None, cap: float) -> float:
    if moment is None:
        return cap
    return max(0.01, min(cap, (moment - utcnow()).total_seconds()))


def run_job(generator, job_id: int, **kwargs) -> str:
    """Run a job to the end (or until paused or cancelled) in this thread; returns its status."""
    return JobRunner(generator, job_id, **kwargs).run()
