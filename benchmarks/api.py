"""API overhead: POST /api/content/generate over real HTTP (uvicorn, 1 and 4 workers) next to calling core.

Each scenario is timed on cache hits and with an instant provider (no model time), so what is left is
ContentCraft's own work: core alone, then core + FastAPI + token check + rate limit + audit row + HTTP.
Latency is sequential requests on one keep-alive connection; throughput is 8 client threads for --seconds.

Run: .venv/bin/python benchmarks/api.py [--runs 300] [--seconds 8]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks.overhead import InstantProvider, percentiles  # noqa: E402
from core.hookspecs import hookimpl  # noqa: E402
from core.plugins import pm  # noqa: E402

CLIENT_THREADS = 8
GOAL_MS = 5.0


class _Plugin:
    @hookimpl
    def register_providers(self, register):
        register(InstantProvider)


def bench_app():
    """The uvicorn factory for the benchmark's server processes: the API with the instant provider."""
    from api.app import create_app

    if not pm.has_plugin("bench.instant"):
        pm.register(_Plugin(), name="bench.instant")
    return create_app(bulk_worker=False)


def body(index: int | None) -> dict:
    """The same request every time (cache hits), or a new topic each time (instant provider)."""
    topic = "Running shoes for flat feet" if index is None else f"Running shoes for flat feet, part {index}"
    return {"topic": topic, "keywords": ["running shoes"], "use_cache": index is None}


def time_core(runs: int, cached: bool) -> list[float]:
    from core.config import get_settings
    from core.pipeline import Generator
    from core.schemas import ContentRequest

    generator, samples = Generator(get_settings()), []
    for index in range(runs):
        request = ContentRequest(**{k: v for k, v in body(None if cached else index + 10**6).items()
                                    if k != "use_cache"})
        start = time.perf_counter()
        response = generator.generate(request, "bench@example.com", use_cache=cached)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status == "succeeded", response.error
    return samples


def time_http(url: str, token: str, runs: int, cached: bool, offset: int) -> list[float]:
    samples = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for index in range(runs):
            payload = body(None if cached else offset + index)
            start = time.perf_counter()
            answer = client.post("/api/content/generate", json=payload)
            samples.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200 and answer.json()["cache_hit"] == cached, answer.text[:300]
    return samples


def throughput(url: str, token: str, seconds: float, cached: bool, offset: int) -> float:
    deadline = time.perf_counter() + seconds

    def worker(thread: int) -> int:
        done = 0
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            while time.perf_counter() < deadline:
                payload = body(None if cached else offset + thread * 10**6 + done)
                assert client.post("/api/content/generate", json=payload).status_code == 200
                done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        total = sum(pool.map(worker, range(CLIENT_THREADS)))
    return total / (time.perf_counter() - started)


def serve(workers: int, port: int, env: dict) -> subprocess.Popen:
    code = (f"from api.server import serve; serve('benchmarks.api:bench_app', port={port}, workers={workers}, "
            "access_log=False, log_level='warning')")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the API server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    from tests.net import free_port

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(CONTENTCRAFT_DATABASE_URL=f"sqlite:///{tmp}/bench.db", CONTENTCRAFT_PROVIDER="instant",
                          CONTENTCRAFT_RATE_LIMIT=str(10**9), CONTENTCRAFT_LOG_LEVEL="WARNING")
        from core.access.tokens import create_token
        from core.auth import create_user
        from core.db import get_engine, upgrade

        pm.register(_Plugin(), name="bench.instant")
        upgrade()
        user = create_user(get_engine(), email="bench@example.com", password="correct horse", role="writer")
        token, _ = create_token(get_engine(), user, name="bench")
        rows = []
        for cached in (True, False):
            time_core(20, cached)
            rows.append(("core (in process)", cached, percentiles(time_core(args.runs, cached)), None))
        offset = 0
        for workers in (1, 4):
            port = free_port()
            server = serve(workers, port, dict(os.environ))
            url = f"http://127.0.0.1:{port}"
            try:
                for cached in (True, False):
                    offset += 10**8
                    time_http(url, token, 30, cached, offset)  # warm every worker's imports and caches
                    offset += 10**8
                    latency = percentiles(time_http(url, token, args.runs, cached, offset))
                    offset += 10**8
                    rows.append((f"API, {workers} worker{'s' * (workers > 1)}", cached, latency,
                                 throughput(url, token, args.seconds, cached, offset)))
            finally:
                server.terminate()
                server.wait(timeout=30)
        report(rows)


def report(rows) -> None:
    core = {cached: p50 for name, cached, (p50, _), _ in rows if name.startswith("core")}
    print(f"{'':<22}{'scenario':<18}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'API overhead p50':>19}")
    for name, cached, (p50, p95), rate in rows:
        scenario = "cache hit" if cached else "instant provider"
        extra = "" if name.startswith("core") else f"{p50 - core[cached]:+.2f} ms"
        print(f"{name:<22}{scenario:<18}{p50:>9.2f}{p95:>9.2f}{(f'{rate:.0f}' if rate else '-'):>9}{extra:>19}")
    print(f"[goal: API overhead p50 <= {GOAL_MS:.0f} ms over core; req/s with {CLIENT_THREADS} client threads "
          f"on the same machine]")


if __name__ == "__main__":
    main()
