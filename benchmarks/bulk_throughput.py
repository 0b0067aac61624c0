"""Bulk throughput: rows/min with 1, 2 and 4 `python -m core worker` processes (DBOS on Postgres, pacing
shared through Redis) against (a) a rate-bound server that enforces its RPM over 1-second windows
("quantized") and (b) a latency-bound one, each as a ratio to the ideal max(N/RPM, N*latency/concurrency),
side by side in the same run with the runner this replaced (its code taken from git history, run in-process
as it was; it could not share a job between processes, so it has one column).

A job on a provider that has not answered in the last two minutes sends its first three rows before any
answer (so a quota error pauses it after at most three requests, as issue 11 asks); the latency-bound case
also runs "warm", after one answered generation, where every lane goes at once.
Also prints the memory and time to validate a 100k-row CSV and store it as a job.

Run: .venv/bin/python benchmarks/bulk_throughput.py [--rate-rows 60] [--rpm 240] [--latency-rows 200]
     [--latency 0.5] [--concurrency 10] [--workers 1,2,4] [--old-commit ed8064a] [--rows 100000]
     [--cases rate,latency]
Needs the Debian packages postgresql and redis-server (as the tests do); without them it runs on SQLite alone.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="contentcraft-bulk-bench-"))

from tests.fault_server import FaultServer  # noqa: E402
from tests.net import free_port, wait_until  # noqa: E402

QUEUE_START_SECONDS = 1.5
WARM = "A sentence long enough for the language identifier to load its model before the clock starts."
OLD_RUN = f"WARM = {WARM!r}" + """
import json, os, sys, time
from core import config
from core.bulk import jobs
from core.bulk.runner import run_job
from core.db import upgrade
from core.pipeline import Generator
upgrade()
generator = Generator(config.get_settings())
options = jobs.JobOptions(concurrency=int(sys.argv[2]), rpm=float(sys.argv[3]) or None)
from core.language import detect
detect(WARM)  # the language identifier loads in seconds: not on the first row of either runner
job_id, _ = jobs.create_job(generator, open(sys.argv[1], "rb").read(), "blog", "bench", options)
started = time.perf_counter()
run_job(generator, job_id)
state = jobs.progress(generator.engine, job_id)
print(json.dumps({"seconds": time.perf_counter() - started, "succeeded": state.succeeded, "failed": state.failed}))
"""


def rows_csv(prefix: str, n: int) -> bytes:
    lines = ["topic,keywords,tone,length,language"]
    lines += [f"{prefix} guide number {i},\"{prefix.lower()}, guide\",friendly,short,en" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def base_env(server: FaultServer, database_url: str, redis_url: str | None) -> dict:
    env = {**os.environ, "CONTENTCRAFT_DATABASE_URL": database_url, "CONTENTCRAFT_CUSTOM_BASE_URL": server.base_url,
           "OPENAI_BASE_URL": server.base_url,  # where the replaced runner's version pointed 'custom'
           "CONTENTCRAFT_PROVIDER": "custom", "CONTENTCRAFT_CACHE_TTL": "0", "CONTENTCRAFT_TIMEOUT": "30",
           "CONTENTCRAFT_RATE_LIMIT": "100000", "CONTENTCRAFT_MAX_RETRIES": "2", "PYTHONPATH": str(ROOT)}
    env.pop("CONTENTCRAFT_REDIS_URL", None)
    if redis_url:
        env["CONTENTCRAFT_REDIS_URL"] = redis_url
    return env


@contextmanager
def services(use_servers: bool):
    """(a database URL factory, a Redis URL or None): Postgres and Redis when installed, else SQLite files."""
    with ExitStack() as stack:
        redis_url, cluster = None, None
        if use_servers and shutil.which("redis-server"):
            port = free_port()
            process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no"], stdout=subprocess.DEVNULL)
            stack.callback(process.terminate)
            import redis

            wait_until(redis.Redis(port=port).ping, process, "redis-server", timeout=10)
            redis_url = f"redis://127.0.0.1:{port}/0"
        from tests.postgres import server_binary

        if use_servers and server_binary("initdb"):
            from tests.postgres import postgres_server

            cluster = stack.enter_context(postgres_server(max_connections=300))
        counter = iter(range(1000))

        def database() -> str:
            name = f"bench{next(counter)}"
            if cluster is None:
                return f"sqlite:///{WORKDIR / name}.db"
            from sqlalchemy import create_engine, text

            admin = create_engine(cluster, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {name}"))
            admin.dispose()
            return cluster.rsplit("/", 1)[0] + f"/{name}"

        yield database, redis_url


def run_new(workers: int, data: bytes, server: FaultServer, database_url: str, redis_url: str | None,
            concurrency: int, rpm: float | None, warm: bool = False) -> dict:
    """The job on `workers` worker processes; seconds from queueing to finished. `warm`: one generation is
    answered first (as when the team generated something a minute ago), so the job sends no probe row."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from core import config
    from core.bulk import jobs
    from core.bulk.models import BulkWorker
    from core.db import make_engine, upgrade
    from core.pipeline import Generator

    env = base_env(server, database_url, redis_url)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CONTENTCRAFT_", "OPENAI_"))})
    os.environ.pop("CONTENTCRAFT_REDIS_URL", None) if not redis_url else None
    config.get_settings.cache_clear()
    upgrade(database_url)
    engine = make_engine(database_url)
    processes = []
    try:
        for index in range(workers):
            processes.append(subprocess.Popen([sys.executable, "-m", "core", "worker"], cwd=ROOT, env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            while True:  # one at a time: the first one creates DBOS's tables
                with Session(engine) as session:
                    if session.exec(select(func.count()).select_from(BulkWorker)).one() > index:
                        break
                time.sleep(0.1)
        # Workers run long in production: give DBOS the second it takes after launch to start polling the queues
        # (its queue manager looks for queues once a second), so a job's start is not a worker's start.
        time.sleep(QUEUE_START_SECONDS)
        generator = Generator(config.get_settings(), engine)
        from core.language import detect

        detect(WARM)
        if warm:
            from core.schemas import ContentRequest

            answered = generator.generate(ContentRequest(topic="Warm-up guide for the provider", keywords=["warm"]),
                                          "bench", provider="custom", use_cache=False)
            assert answered.status in {"succeeded", "needs_review"}, answered.error
        job_id, _ = jobs.create_job(generator, data, "blog", "bench",
                                    jobs.JobOptions(provider="custom", concurrency=concurrency, rpm=rpm))
        while (state := jobs.progress(engine, job_id)).status not in {"finished", "paused", "cancelled"}:
            time.sleep(0.05)
        if state.status != "finished":
            raise SystemExit(f"the job {state.status}: {state.pause_reason or ''}")
        job = jobs.get_job(engine, job_id)  # from the job's row being written to the job finishing, as stored
        return {"seconds": (job.finished_at - job.created_at).total_seconds(), "succeeded": state.succeeded,
                "failed": state.failed}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        engine.dispose()


def old_tree(commit: str) -> Path:
    """The replaced runner's code, from git history, in a temp folder."""
    folder = WORKDIR / f"old-{commit}"
    folder.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_old(folder: Path, data: bytes, server: FaultServer, concurrency: int, rpm: float | None) -> dict:
    source = WORKDIR / f"old-{time.monotonic_ns()}.csv"
    source.write_bytes(data)
    env = base_env(server, f"sqlite:///{WORKDIR / source.stem}.db", None)
    env["PYTHONPATH"] = str(folder)
    result = subprocess.run([sys.executable, "-c", OLD_RUN, str(source), str(concurrency), str(rpm or 0)],
                            cwd=folder, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def scenario(title: str, n: int, latency: float, rpm: float | None, concurrency: int, args, database, redis_url,
             old: Path) -> None:
    ideal = max(n / rpm * 60 if rpm else 0.0, n * latency / concurrency)
    print(f"\n{title}: N={n}, latency={latency:g} s, concurrency={concurrency}, "
          f"RPM={rpm or 'none'}{' over 1-second windows' if rpm else ''}; ideal {ideal:.1f} s "
          f"({n / ideal * 60:.0f} rows/min)")
    print(f"  {'runner':<28} {'seconds':>8} {'rows/min':>9} {'ratio':>6} {'429s':>5} {'failed':>6}")
    runs = [(f"replaced runner ({args.old_commit})", None, False)]
    runs += [(f"DBOS, {w} worker{'s' * (w > 1)}", w, False) for w in args.workers]
    if not rpm:  # the probe row matters only without pacing (see --help)
        runs += [(f"DBOS, {w} worker{'s' * (w > 1)}, warm", w, True) for w in args.workers]
    for label, workers, warm in runs:
        server = FaultServer(latency=latency, rpm=rpm, window=1.0)
        data = rows_csv(f"Trail {title.split('-')[0]} run {workers or 0}", n)
        try:
            if workers is None:
                result = run_old(old, data, server, concurrency, rpm)
            else:
                result = run_new(workers, data, server, database(), redis_url, concurrency, rpm, warm)
        finally:
            server.close()
        seconds = result["seconds"]
        print(f"  {label:<28} {seconds:8.2f} {n / seconds * 60:9.0f} {seconds / ideal:6.2f} "
              f"{server.stats['429_rate_limit']:5d} {result['failed']:6d}", flush=True)


def parsing(rows: int) -> None:
    from core import config
    from core.bulk import jobs
    from core.bulk.validation import validate
    from core.db import upgrade
    from core.pipeline import Generator

    os.environ["CONTENTCRAFT_DATABASE_URL"] = f"sqlite:///{WORKDIR / 'parsing.db'}"
    os.environ["CONTENTCRAFT_RATE_LIMIT"] = "100000"
    config.get_settings.cache_clear()
    upgrade()
    data = rows_csv("Marathon training", rows)
    started = time.perf_counter()
    validate(data, "blog")
    seconds = time.perf_counter() - started
    tracemalloc.start()
    report = validate(data, "blog")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\nparsing: {rows:,}-row CSV ({len(data) / 1e6:.1f} MB): validated in {seconds:.2f} s, "
          f"peak memory {peak / 1e6:.1f} MB above the file itself ({report.good:,} valid rows)")
    started = time.perf_counter()
    job_id, _ = jobs.create_job(Generator(config.get_settings()), data, "blog", "bench",
                                jobs.JobOptions(provider="custom"))
    print(f"  stored as job #{job_id} with {rows:,} items in {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description="Bulk generation throughput, new workers against the replaced runner.")
    parser.add_argument("--rate-rows", type=int, default=60)
    parser.add_argument("--rpm", type=float, default=240)
    parser.add_argument("--latency-rows", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=lambda text: [int(w) for w in text.split(",")], default=[1, 2, 4])
    parser.add_argument("--old-commit", default="ed8064a", help="the commit whose lease runner (core/bulk/runner.py) to compare: main before DBOS")
    parser.add_argument("--cases", type=lambda text: text.split(","), default=["rate", "latency"],
                        help="which of the two cases to run: rate, latency or both")
    parser.add_argument("--sqlite", action="store_true", help="SQLite and no Redis even when the servers exist")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the parsing test (0 to skip)")
    args = parser.parse_args()
    old = old_tree(args.old_commit)
    print(f"work folder: {WORKDIR}; CPUs: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    with services(not args.sqlite) as (database, redis_url):
        print(f"database: {'Postgres' if 'postgresql' in database() else 'SQLite'}; "
              f"Redis: {'yes' if redis_url else 'no'}")
        if "rate" in args.cases:
            scenario("rate-bound", args.rate_rows, 0.05, args.rpm, 16, args, database, redis_url, old)
        if "latency" in args.cases:
                scenario("latency-bound", args.latency_rows, args.latency, None, args.concurrency, args, database,
                     redis_url, old)
    if args.rows:
        parsing(args.rows)


if __name__ == "__main__":
    main()
