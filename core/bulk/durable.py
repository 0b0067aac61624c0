"""The DBOS Transact runtime that runs bulk workflows: system database, this process's executor, queues, recovery.

DBOS keeps workflow state in a "system database": on Postgres the app's own database (schema `dbos`), on
SQLite a file next to the app's (`contentcraft.db` → `contentcraft.dbos.db`), or CONTENTCRAFT_WORKFLOW_DATABASE_URL.
Every process that launches DBOS here is a worker: it dequeues job lanes (`flow.run_lane`) from the queues. Open-source
DBOS re-runs a dead process's workflows only when asked, so each worker records a heartbeat in `bulk_worker`
and recovers the workflows of workers that stopped beating (https://docs.dbos.dev/production/self-hosting/workflow-recovery).
"""

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

from dbos import DBOS
from sqlalchemy import delete, or_
from sqlmodel import select

from .. import language
from ..db import open_pool, session_scope
from ..models import utcnow
from ..providers import provider_classes
from .models import BulkWorker

log = logging.getLogger("contentcraft.bulk")
APP_NAME = "contentcraft"
APP_VERSION = "contentcraft-bulk-2"  # change when the workflows' steps change, so old runs are not replayed
LANES_QUEUE = "contentcraft-bulk"
POLL_SECONDS = 0.1  # how soon a new job's lanes start (rows follow each other inside a lane, with no poll)
KEEPER_SECONDS = 1.0  # heartbeat and dead-worker check
JOBS_POLL_SECONDS = 0.1  # look for jobs queued by another process (this process's own wake it at once)
STALE_SECONDS = 10.0
LANE_STOP_SECONDS = 5.0  # how long a stopping worker waits for its lanes to finish the row they are on
SWEEP_SECONDS = 5.0  # how often rows and feeders whose workflow ended unfinished are closed
HOST = socket.gethostname()
_state: dict = {"url": None, "generator": None, "executor": None, "keeper": None}
_lock = threading.RLock()


def system_database_url(database_url: str) -> str:
    """Where DBOS keeps its state for an app database URL (a sibling file for SQLite, the same Postgres)."""
    override = os.environ.get("CONTENTCRAFT_WORKFLOW_DATABASE_URL")
    if override:
        return override
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        stem = path[:-3] if path.endswith(".db") else path
        return f"sqlite:///{stem}.dbos.db"
    return database_url


def launch(generator) -> str:
    """Start DBOS in this process for the generator's database (once; again if the database changed).

    Returns this process's executor id. Importing `flow` registers the workflows before launch.
    """
    from . import flow  # noqa: F401  (registers the workflow functions)

    url = generator.settings.database_url
    with _lock:
        if _state["url"] == url and _state["executor"]:
            _state["generator"] = generator
            return _state["executor"]
        if _state["url"] is not None:
            shutdown()
        executor = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Set before launch: queued rows may start the moment DBOS does, and their steps need the generator.
        _state.update(url=url, generator=generator, executor=executor)
        _log_through_ours()
        language.load()  # every row's quality check needs it: loaded once here, not by the first rows in a crowd
        open_pool(generator.engine)  # and every lane and row a connection
        DBOS(config={"name": APP_NAME, "system_database_url": _driver_url(system_database_url(url)),
                     "executor_id": executor, "application_version": APP_VERSION,
                     "notification_listener_polling_interval_sec": 0.1,  # also how long a shutdown waits
                     "log_level": os.environ.get("CONTENTCRAFT_DBOS_LOG_LEVEL", "WARNING")})
        DBOS.launch()
        for name in {LANES_QUEUE, *map(queue_for, capped_providers())}:  # known now: no wait for a queue thread
            share_queue(name, 1, on_conflict="never_update")
        keeper = Keeper(generator.engine, executor)
        _state["keeper"] = keeper.start()
        log.info("bulk worker started", extra={"event": "bulk_worker_started"})
        return executor


def _log_through_ours() -> None:
    """Send DBOS's log records to the process's own handlers (JSON logs) instead of a console handler of its own.

    DBOS binds that handler to whatever sys.stderr is when it starts, which may be a stream closed later.
    """
    dbos_log = logging.getLogger("dbos")
    if not dbos_log.handlers:
        dbos_log.addHandler(logging.NullHandler())  # DBOS adds its console handler only to a logger with none
    dbos_log.propagate = True


def _driver_url(url: str) -> str:
    """DBOS wants a plain postgresql:// URL; it picks its own driver."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def shutdown(wait_seconds: float = LANE_STOP_SECONDS) -> None:
    """Stop this process's DBOS executor: it takes no new lane, the live workers may take its share, and each
    of its lanes hands itself over (`flow.hand_over`) after the row it is on; rows still in flight after
    `wait_seconds` are recovered by another worker."""
    with _lock:
        keeper = _state.get("keeper")
        if keeper is not None:
            keeper.stop()
        if _state["url"] is not None:
            from .flow import lanes_per_worker

            _stop_taking_lanes()
            for name in {LANES_QUEUE, *map(queue_for, capped_providers())}:
                share_queue(name, lanes_per_worker(_state["generator"].engine, name))
        with _lanes:
            _lanes.epoch += 1  # lanes return between rows
            _lanes.closing = True  # and so do lanes this worker was starting right now
            _lanes.wait_for(lambda: _lanes.active == 0, timeout=wait_seconds if _state["url"] else 0)
            left_running = _lanes.active
        if keeper is not None and left_running:  # the others recover those lanes as a dead worker's
            keeper.beat(at=utcnow() - timedelta(seconds=STALE_SECONDS + 1))
        if _state["url"] is not None:
            DBOS.destroy(destroy_registry=False)
        _state.update(url=None, generator=None, executor=None, keeper=None)
        _lanes.closing = False
        _lanes.share.clear()


def _stop_taking_lanes() -> None:
    """This process's DBOS queue threads stop dequeuing. dbos 3.4 has no public call for it: this sets the stop
    event DBOS gave its queue thread (DBOS.destroy sets it later anyway), so a lane handed over goes elsewhere."""
    from dbos import _dbos
    from dbos._queue import queue_thread

    for thread in getattr(_dbos._dbos_global_instance, "_background_threads", []):
        if getattr(thread, "_target", None) is queue_thread:
            thread._args[0].set()
            thread.join(5)  # it joins its queues' threads: nothing is being dequeued here any more


class _Lanes(threading.Condition):
    """How many lanes run in this process (in all, and per queue), the launch they belong to, whether it is
    stopping, and this worker's share of each queue's lanes (set by the keeper)."""

    active = 0
    epoch = 0
    closing = False
    on: Counter = Counter()
    started: dict[str, float] = {}  # when a lane of the queue last started here (monotonic)
    share: dict[str, tuple[int, float]] = {}  # the share and when the keeper began working it out


_lanes = _Lanes()
_lane = threading.local()


@contextmanager
def lane_running(queue: str):
    """Around a lane's loop; yields stopped(), true once this process's worker is shutting down or runs more of
    the queue's lanes than its share (a worker joined): this lane then leaves, to go on where there is room."""
    with _lanes:
        _lanes.active += 1
        _lanes.on[queue] += 1
        _lanes.started[queue] = time.monotonic()
        epoch, leaving = _lanes.epoch, []

    def stopped() -> bool:
        with _lanes:
            share, since = _lanes.share.get(queue, (0, 0.0))
            # A share worked out before a lane started here (a new job) may be stale: wait for the next one.
            if not leaving and since > _lanes.started[queue] and _lanes.on[queue] > share:
                _lanes.on[queue] -= 1  # counted out now, so only the lanes over the share leave
                leaving.append(True)
            return _lanes.epoch != epoch or _lanes.closing or bool(leaving)

    _lane.stopped = stopped
    try:
        yield stopped
    finally:
        _lane.stopped = None
        with _lanes:
            _lanes.active -= 1
            _lanes.on[queue] -= 0 if leaving else 1
            _lanes.notify_all()


def lane_stops() -> bool:
    """Whether the lane running in this thread is to stop between rows (see lane_running)."""
    stopped = getattr(_lane, "stopped", None)
    return stopped is not None and stopped()


def stopping() -> bool:
    """Whether this process's worker is shutting down: its lanes finish the calls that are out, and send no other."""
    return _lanes.closing


def lanes_epoch() -> int:
    """The current launch's number: a lane that started under another one is to stop between rows."""
    return _lanes.epoch


def current_generator():
    """The generator the running workflows use (the one given to launch)."""
    generator = _state["generator"]
    if generator is None:
        raise RuntimeError("The bulk runtime is not launched in this process.")
    return generator


def is_launched() -> bool:
    return _state["url"] is not None


def capped_providers() -> dict[str, int]:
    """Providers that run at most so many calls at once (the local model: one), with their cap."""
    return {name: cls.max_concurrency for name, cls in provider_classes().items() if cls.max_concurrency}


def queue_for(provider: str) -> str:
    """The queue a provider's lanes run on: its own when it has a concurrency cap, else the shared one."""
    return f"{LANES_QUEUE}-{provider}" if provider in capped_providers() else LANES_QUEUE


def share_queue(name: str, per_worker: int, on_conflict: str = "always_update") -> None:
    """Create or update a lanes queue in the system database (every worker reads it): at most `per_worker`
    lanes on one worker, so a job's lanes spread over the workers; a capped provider's cap across all."""
    cap = next((c for p, c in capped_providers().items() if queue_for(p) == name), None)
    DBOS.register_queue(name, global_concurrency=cap, worker_concurrency=min(per_worker, cap or per_worker),
                        polling_interval_sec=POLL_SECONDS, on_conflict=on_conflict)


class Keeper:
    """This worker's heartbeat, recovery of dead workers' workflows, and feeding queued jobs."""

    def __init__(self, engine, executor: str):
        self.engine, self.executor = engine, executor
        self.stop_event, self.wake_event = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name="contentcraft-bulk-keeper", daemon=True)

    def start(self) -> "Keeper":
        self.beat()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.wake_event.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(10)
        with session_scope(self.engine) as session:
            session.execute(delete(BulkWorker).where(BulkWorker.executor_id == self.executor))

    def wake(self) -> None:
        self.wake_event.set()

    def _run(self) -> None:
        from .flow import submit_queued_jobs, sweep_ended_workflows

        beaten = swept = 0.0
        while not self.stop_event.is_set():
            try:
                if time.monotonic() - beaten >= KEEPER_SECONDS:
                    self.beat()
                    self.recover_dead()
                    self.share_lanes()
                    beaten = time.monotonic()
                submit_queued_jobs(self.engine)
                if time.monotonic() - swept >= SWEEP_SECONDS:
                    sweep_ended_workflows(self.engine)
                    swept = time.monotonic()
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("bulk keeper error", extra={"event": "bulk_keeper_error"})
            self.wake_event.wait(JOBS_POLL_SECONDS)  # a job queued by another process starts within this
            self.wake_event.clear()

    def beat(self, at=None) -> None:
        with session_scope(self.engine) as session:
            worker = session.get(BulkWorker, self.executor) or BulkWorker(executor_id=self.executor, host=HOST,
                                                                         pid=os.getpid())
            worker.heartbeat_at = at or utcnow()
            session.add(worker)

    def share_lanes(self) -> dict[str, int]:
        """Work out this worker's share of each queue it runs lanes of (a worker joined or left, a job started or
        ended) and set it as the queue's per-worker cap: the lanes over it leave (`lane_running`) and a worker
        with room takes them. {queue: share}."""
        from .flow import lanes_per_worker

        since = time.monotonic()
        with _lanes:
            queues = [queue for queue, count in _lanes.on.items() if count > 0]
        shares = {queue: lanes_per_worker(self.engine, queue) for queue in queues}
        for queue, share in shares.items():  # every time: a job started elsewhere may have set another cap
            share_queue(queue, share)
        with _lanes:
            _lanes.share.update({queue: (share, since) for queue, share in shares.items()})
        return shares

    def recover_dead(self) -> list[str]:
        """Give the workflows of workers that stopped beating (or whose process is gone) back to the queues."""
        stale = utcnow() - timedelta(seconds=STALE_SECONDS)
        with session_scope(self.engine) as session:
            workers = session.exec(select(BulkWorker).where(BulkWorker.executor_id != self.executor,
                                                            or_(BulkWorker.heartbeat_at < stale,
                                                                BulkWorker.host == HOST))).all()
        dead = [w.executor_id for w in workers if w.heartbeat_at < stale or not _pid_alive(w.pid)]
        if dead:
            DBOS._recover_pending_workflows(dead)
            with session_scope(self.engine) as session:
                session.execute(delete(BulkWorker).where(BulkWorker.executor_id.in_(dead)))
            log.warning("recovered the workflows of stopped bulk workers",
                        extra={"event": "bulk_workers_recovered", "count": len(dead)})
        return dead


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # an earlier launch in this process is stopped only by shutdown(), which deletes its row
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wake() -> None:
    """Look for queued jobs now instead of within a second."""
    keeper = _state.get("keeper")
    if keeper is not None:
        keeper.wake()
