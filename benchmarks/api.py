"""API overhead: POST /api/content/generate over real HTTP (uvicorn, 1 and 4 workers) next to calling core.

Each scenario is timed on cache hits and with an instant provider (no model time), so what is left is
ContentCraft's own work: core alone, then core + FastAPI + token check + rate limit + audit row + HTTP.
Latency is sequential requests on one keep-alive connection per server, alternating core, 1 worker and 4
workers call by call so machine noise hits every side alike; throughput is 8 client threads for --seconds.

Run: .venv/bin/python benchmarks/api.py [--runs 300] [--seconds 8]
"""

import argparse
import os
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


def time_side_by_side(generator, clients: dict, runs: int, cached: bool, offset: int) -> dict[str, list[float]]:
    """Milliseconds per call, alternating core and each server so machine noise hits every side alike."""
    from core.schemas import ContentRequest

    samples: dict[str, list[float]] = {"core": [], **{name: [] for name in clients}}
    for index in range(runs):
        payload = body(None if cached else offset + index)
        request = ContentRequest(**{k: v for k, v in payload.items() if k != "use_cache"})
        start = time.perf_counter()
        response = generator.generate(request, "bench@example.com", use_cache=cached)
        samples["core"].append((time.perf_counter() - start) * 1000)
        assert response.status == "succeeded", response.error
        for name, client in clients.items():
            payload = body(None if cached else offset + index + 10**7 * (1 + list(clients).index(name)))
            start = time.perf_counter()
            answer = client.post("/api/content/generate", json=payload)
            samples[name].append((time.perf_counter() - start) * 1000)
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
        from core.config import get_settings
        from core.pipeline import Generator

        generator, servers, clients, rows = Generator(get_settings()), [], {}, []
        try:
            for workers in (1, 4):
                port = free_port()
                servers.append(serve(workers, port, dict(os.environ)))
                clients[f"API, {workers} worker{'s' * (workers > 1)}"] = httpx.Client(
                    base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
            for cached, offset in ((True, 0), (False, 10**9)):
                time_side_by_side(generator, clients, 30, cached, offset)  # warm every worker and cache
                samples = time_side_by_side(generator, clients, args.runs, cached, offset + 10**8)
                for number, (name, values) in enumerate(samples.items()):
                    url = str(clients[name].base_url) if name in clients else None
                    rate = throughput(url, token, args.seconds, cached, offset + (2 + number) * 10**8) if url else None
                    rows.append(("core (in process)" if name == "core" else name, cached, percentiles(values), rate))
        finally:
            for client in clients.values():
                client.close()
            for server in servers:
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
