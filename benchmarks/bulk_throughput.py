"""Bulk throughput against a local OpenAI-compatible server with set latency and a requests-per-minute limit.

Prints, side by side in one run:
  * a 200-row job: achieved time / max(N/RPM, N*latency/concurrency) (goal <= 1.1) and the 429s the server sent;
  * the same rows generated one at a time, as the seed's Bulk Generator did (goal: the job >= 10x faster);
  * a job bigger than one minute's allowance, with and without --rpm (the limiter's worth in 429s);
  * peak memory and time to validate a 100k-row CSV, and to store it as a job.

Run: .venv/bin/python benchmarks/bulk_throughput.py [--n 200] [--rpm 600] [--latency 0.5] [--concurrency 16]
     [--skip-sequential] [--skip-rate-bound]
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="contentcraft-bulk-bench-"))
os.environ.update({"CONTENTCRAFT_DATABASE_URL": f"sqlite:///{WORKDIR / 'bench.db'}",
                   "CONTENTCRAFT_PROVIDER": "custom", "CONTENTCRAFT_CACHE_TTL": "0", "CONTENTCRAFT_TIMEOUT": "30",
                   "CONTENTCRAFT_RATE_LIMIT": "100000"})

from core import config  # noqa: E402
from core.bulk import jobs  # noqa: E402
from core.bulk.runner import run_job  # noqa: E402
from core.bulk.validation import validate  # noqa: E402
from core.db import upgrade  # noqa: E402
from core.pipeline import Generator  # noqa: E402
from core.schemas import ContentRequest  # noqa: E402
from tests.fault_server import FaultServer  # noqa: E402


def rows_csv(prefix: str, n: int) -> bytes:
    lines = ["topic,keywords,tone,length,language"]
    lines += [f"{prefix} guide number {i},\"{prefix.lower()}, guide\",friendly,short,en" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def generator_for(server: FaultServer, retries: int = 2) -> Generator:
    os.environ["CONTENTCRAFT_CUSTOM_BASE_URL"] = server.base_url
    os.environ["CONTENTCRAFT_MAX_RETRIES"] = str(retries)
    config.get_settings.cache_clear()
    return Generator(config.get_settings())


def timed_job(generator: Generator, data: bytes, options: jobs.JobOptions) -> tuple[float, jobs.Progress]:
    job_id, _ = jobs.create_job(generator, data, "blog", "bench", options)
    started = time.perf_counter()
    run_job(generator, job_id)
    return time.perf_counter() - started, jobs.progress(generator.engine, job_id)


def main_job(args) -> float:
    server = FaultServer(latency=args.latency, rpm=args.rpm)
    try:
        elapsed, state = timed_job(generator_for(server), rows_csv("Trail running", args.n),
                                   jobs.JobOptions(concurrency=args.concurrency, rpm=args.rpm))
    finally:
        server.close()
    ideal = max(args.n / args.rpm * 60, args.n * args.latency / args.concurrency)
    print(f"job: N={args.n}, RPM={args.rpm:g}, latency={args.latency:g} s, concurrency={args.concurrency}")
    print(f"  achieved {elapsed:.2f} s; max(N/RPM, N*latency/C) = {ideal:.2f} s; "
          f"ratio {elapsed / ideal:.2f} (goal <= 1.1)")
    print(f"  {state.succeeded} succeeded, {state.failed} failed; server: {server.stats['requests']} requests, "
          f"{server.stats['429_rate_limit']} answered 429")
    return elapsed


def sequential(args, job_seconds: float) -> None:
    server = FaultServer(latency=args.latency, rpm=args.rpm)
    generator = generator_for(server)
    requests = [ContentRequest(topic=f"Road running guide number {i}", keywords="road running, guide",
                               tone="friendly", length="short") for i in range(args.n)]
    started, failed = time.perf_counter(), 0
    try:
        for request in requests:  # the seed: one product after another, each saved before the next starts
            failed += generator.generate(request, "bench", count_rate_limit=False).status != "succeeded"
    finally:
        server.close()
    elapsed = time.perf_counter() - started
    print(f"sequential, as the seed: {elapsed:.2f} s for {args.n} rows ({failed} failed); "
          f"the job is {elapsed / job_seconds:.1f}x faster (goal >= 10x)")


def rate_bound(args) -> None:
    n, rpm, latency = 200, 150, 0.05
    print(f"rate-bound: N={n} > RPM={rpm} (one minute's allowance), latency={latency} s, concurrency 16")
    for label, limit in (("paced (--rpm 150)", rpm), ("no --rpm (only Retry-After pauses it)", None)):
        server = FaultServer(latency=latency, rpm=rpm)
        options = jobs.JobOptions(concurrency=16, rpm=limit, max_attempts=1 if limit is None else 4)
        try:
            elapsed, state = timed_job(generator_for(server, retries=0 if limit is None else 2),
                                       rows_csv(f"Hill running {'paced' if limit else 'unpaced'}", n), options)
        finally:
            server.close()
        ideal = max(n / rpm * 60, n * latency / 16)
        print(f"  {label}: {elapsed:.2f} s (ratio to max(N/RPM, N*latency/C) = {ideal:.0f} s: "
              f"{elapsed / ideal:.2f}); {state.succeeded} succeeded, {state.failed} failed; "
              f"server answered {server.stats['429_rate_limit']} of {server.stats['requests']} requests with 429")


def parsing(rows: int) -> None:
    data = rows_csv("Marathon training", rows)
    started = time.perf_counter()
    validate(data, "blog")
    seconds = time.perf_counter() - started
    tracemalloc.start()
    report = validate(data, "blog")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"parsing: {rows:,}-row CSV ({len(data) / 1e6:.1f} MB): validated in {seconds:.2f} s, "
          f"peak memory {peak / 1e6:.1f} MB above the file itself ({report.good:,} valid rows)")
    started = time.perf_counter()
    job_id, _ = jobs.create_job(Generator(config.get_settings()), data, "blog", "bench")
    print(f"  stored as job #{job_id} with {rows:,} items in {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description="Bulk generation throughput.")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rpm", type=float, default=600)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the parsing test")
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument("--skip-rate-bound", action="store_true")
    args = parser.parse_args()
    upgrade()
    print(f"database: {WORKDIR / 'bench.db'}")
    job_seconds = main_job(args)
    if not args.skip_sequential:
        sequential(args, job_seconds)
    if not args.skip_rate_bound:
        rate_bound(args)
    parsing(args.rows)


if __name__ == "__main__":
    main()
