"""Bulk jobs against a real local OpenAI-compatible server: faults, pacing, SIGKILL and resume, the CLI."""

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, select

from core import config
from core.bulk import jobs
from core.bulk.worker import run_job, stop_all
from core.cli import main
from core.db import engine_for, upgrade
from core.models import ContentItem
from core.pipeline import Generator
from tests.fault_server import FaultServer

ROOT = Path(__file__).resolve().parent.parent


def _topics(n: int) -> list[str]:
    return [f"Trail running guide number {i}" for i in range(n)]


def _csv(topics: list[str]) -> bytes:
    return ("topic,keywords,language\n" + "".join(f"{t},trail running,en\n" for t in topics)).encode()


@pytest.fixture
def server():
    servers = []

    def start(**kwargs) -> FaultServer:
        servers.append(FaultServer(**kwargs))
        return servers[-1]

    yield start
    stop_all()  # this process's bulk worker, before the servers its rows talk to
    for fault_server in servers:
        fault_server.close()


def _custom_env(monkeypatch, fault_server: FaultServer, timeout: float = 0.5, retries: int = 0) -> Generator:
    monkeypatch.setenv("CONTENTCRAFT_CUSTOM_BASE_URL", fault_server.base_url)
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "custom")
    monkeypatch.setenv("CONTENTCRAFT_TIMEOUT", str(timeout))
    monkeypatch.setenv("CONTENTCRAFT_MAX_RETRIES", str(retries))
    config.get_settings.cache_clear()
    settings = config.get_settings()
    upgrade(settings.database_url)
    return Generator(settings, engine_for(settings.database_url))


def _content_titles(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(ContentItem.title)))


def test_thirty_percent_faults_every_row_ends_with_a_reason(monkeypatch, server):
    fault_server = server(latency=0.01, fault_rate=0.3, timeout_delay=1.5, retry_after=0.05, seed=7)
    generator = _custom_env(monkeypatch, fault_server)
    topics = _topics(30)
    options = jobs.JobOptions(concurrency=8, max_attempts=4, backoff_seconds=0.02)
    job_id, _ = jobs.create_job(generator, _csv(topics), "blog", "ana", options)
    assert run_job(generator, job_id) == "finished"
    rows = jobs.items(generator.engine, job_id)
    assert {r["status"] for r in rows} <= {"succeeded", "failed"} and len(rows) == 30
    for row in rows:
        if row["status"] == "failed":
            assert "gave up after 4 attempts" in row["error"]
            assert any(word in row["error"] for word in ("rate limiting", "server error", "in time"))
        else:
            assert row["content_item_id"] and row["title"] == row["input"]
    assert {f"fault_{kind}" for kind in ("429", "500", "timeout")} <= set(fault_server.stats)
    assert max(r["attempts"] for r in rows) > 1
    succeeded = [r for r in rows if r["status"] == "succeeded"]
    assert sorted(_content_titles(generator.engine)) == sorted(r["input"] for r in succeeded)


def test_without_retries_faults_fail_rows_with_the_providers_reason(monkeypatch, server):
    fault_server = server(latency=0.01, fault_rate=0.3, timeout_delay=1.5, seed=3)
    generator = _custom_env(monkeypatch, fault_server)
    job_id, _ = jobs.create_job(generator, _csv(_topics(30)), "blog", "ana",
                                jobs.JobOptions(concurrency=8, max_attempts=1))
    run_job(generator, job_id)
    failed = jobs.items(generator.engine, job_id, status="failed")
    reasons = {r["error"].split(";")[0] for r in failed}
    faults = sum(v for k, v in fault_server.stats.items() if k.startswith("fault_"))
    assert len(failed) >= faults > 0  # more only if the loaded test machine made a normal call time out
    assert reasons <= {"custom is rate limiting requests. Wait 0 s and try again. (gave up after 1 attempt)",
                       "custom had a server error (500)", "custom did not answer in time"}


def test_pacing_keeps_under_the_servers_limit(monkeypatch, server):
    # The server counts over 2-second windows (150/min = 5 per window, "quantized"); the job spaces its rows
    # evenly (one every 0.41 s) instead of sending a minute's allowance at once.
    paced_server = server(latency=0.02, rpm=150, window=2.0)
    generator = _custom_env(monkeypatch, paced_server)
    options = jobs.JobOptions(concurrency=8, rpm=150, backoff_seconds=0.02)
    job_id, _ = jobs.create_job(generator, _csv(_topics(12)), "blog", "ana", options)
    run_job(generator, job_id)
    assert jobs.progress(generator.engine, job_id).succeeded == 12
    assert paced_server.stats["429_rate_limit"] == 0 and paced_server.stats["requests"] == 12

    unpaced_server = server(latency=0.02, rpm=150, window=2.0)
    generator = _custom_env(monkeypatch, unpaced_server)
    other_topics = [f"Road running guide number {i}" for i in range(20)]  # not served from the cache
    job_id, _ = jobs.create_job(generator, _csv(other_topics), "blog", "bob",
                                options.model_copy(update={"rpm": None, "max_attempts": 1}))
    run_job(generator, job_id)
    # The same kind of job without --rpm overruns a window that holds 5 (how often depends on the
    # machine's speed, so only "at least once" is certain): the server's limit is real.
    assert unpaced_server.stats["429_rate_limit"] >= 1


def test_without_an_rpm_the_servers_rate_limit_headers_keep_it_under_the_limit(monkeypatch, server):
    limited = server(latency=0.02, rpm=150, window=2.0)  # 5 per 2 s, said in x-ratelimit-* headers
    generator = _custom_env(monkeypatch, limited)
    job_id, _ = jobs.create_job(generator, _csv(_topics(12)), "blog", "ana",
                                jobs.JobOptions(concurrency=2, max_attempts=1))
    assert run_job(generator, job_id) == "finished"
    assert jobs.progress(generator.engine, job_id).succeeded == 12
    assert limited.stats["429_rate_limit"] == 0 and limited.stats["requests"] == 12


def _bulk(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "core", "bulk", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_cold_jobs_other_lanes_go_once_its_first_call_has_been_out_a_while(monkeypatch, server):
    from core.bulk import claim

    monkeypatch.setattr(claim, "PROBE_GRACE_SECONDS", 0.3)
    fault_server = server(latency=2.0)
    arrivals, admit = [], fault_server._admit
    fault_server._admit = lambda: (arrivals.append(time.monotonic()), admit())[1]
    generator = _custom_env(monkeypatch, fault_server, timeout=10)
    job_id, _ = jobs.create_job(generator, _csv(_topics(5)), "blog", "ana", jobs.JobOptions(concurrency=5))
    assert run_job(generator, job_id, timeout=60) == "finished"
    assert jobs.progress(generator.engine, job_id).succeeded == 5
    assert len(arrivals) == 5 and arrivals[4] - arrivals[0] < 1.5, "the others did not wait for the 2-s answer"
    assert arrivals[2] - arrivals[0] < 0.3, "the first three went out together"
    assert arrivals[3] - arrivals[0] >= 0.3, "and alone for the grace"
    # and no lane took a second row while another had none: the third did not wait behind the second's answer


def test_sigkill_halfway_then_resume_does_every_row_exactly_once(tmp_path, server, settings):
    fault_server = server(latency=0.3)
    database = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {**os.environ, "CONTENTCRAFT_DATABASE_URL": database, "CONTENTCRAFT_CUSTOM_BASE_URL": fault_server.base_url,
           "CONTENTCRAFT_PROVIDER": "custom", "CONTENTCRAFT_TIMEOUT": "5", "PYTHONPATH": str(ROOT)}
    topics = _topics(40)
    source = tmp_path / "rows.csv"
    source.write_bytes(_csv(topics))
    upgrade(database)
    engine = engine_for(database)
    process = _bulk(env, "run", str(source), "--kind", "blog", "--concurrency", "4", "--rpm", "600")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        if jobs.list_jobs(engine) and jobs.progress(engine, 1).succeeded >= 15:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = jobs.progress(engine, 1)
    assert 15 <= before.succeeded < 40 and before.running >= 1 and before.status == "running"

    resumed = _bulk(env, "resume", "1", "--out", str(tmp_path / "results.xlsx"))
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    after = jobs.progress(engine, 1)
    assert (after.status, after.succeeded, after.failed, after.remaining) == ("finished", 40, 0, 0)
    rows = jobs.items(engine, 1)
    assert sorted(r["input"] for r in rows) == sorted(topics)
    assert len({r["content_item_id"] for r in rows}) == 40
    assert sorted(_content_titles(engine)) == sorted(topics)  # no row's content saved twice
    sheet = openpyxl.load_workbook(tmp_path / "results.xlsx").active
    assert [c.value for c in sheet[1]][:2] == ["row", "status"] and sheet.max_row == 41
    assert "40/40 done" in err


def test_cli_run_status_and_export(tmp_path, settings, engine, fake, capsys):
    from tests.samples import blog_draft

    fake.enqueue([blog_draft()] * 2)
    source = tmp_path / "posts.csv"
    source.write_text("Subject;Tags\nTrail running for beginners;trail\n=cmd|' /C calc'!A0 trail shoes;x\n"
                      "Shoe;x\n", encoding="utf-16")
    out = tmp_path / "results.csv"
    code = main(["bulk", "run", str(source), "--kind", "blog", "--map", "topic=Subject,keywords=Tags",
                 "--concurrency", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Read as utf-16, semicolon-separated" in err and "3 rows: 2 valid, 1 with errors" in err
    assert "row 4, Subject: error: Too short" in err and "2/2 done" in err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["status"] for r in rows] == ["succeeded", "succeeded"]
    assert rows[1]["topic"].startswith("'=cmd")
    assert main(["bulk", "status", "1"]) == 0
    assert "finished" in capsys.readouterr().out
    assert main(["bulk", "export", "1", "--out", str(tmp_path / "again.xlsx")]) == 0


def test_cli_dry_run_and_bad_files(tmp_path, settings, engine, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["bulk", "run", str(empty), "--kind", "blog"]) == 1
    assert "The file is empty" in capsys.readouterr().err
    headers = tmp_path / "headers.csv"
    headers.write_text("Idea,Tags\nHow to choose trail shoes,trail\n")
    assert main(["bulk", "run", str(headers), "--kind", "blog", "--dry-run"]) == 1
    assert "--map topic=COLUMN" in capsys.readouterr().err
    assert main(["bulk", "run", str(headers), "--kind", "blog", "--dry-run", "--map", "topic=Idea"]) == 0
    assert "1 row: 1 valid" in capsys.readouterr().err
    assert main(["bulk", "status", "99"]) == 1
    assert "no bulk job #99" in capsys.readouterr().err
