"""Bulk rows the quality gate objects to: saved, counted apart in the report, retryable; crashes logged."""

import pytest
from sqlmodel import Session, select

from core.bulk import jobs
from core.bulk.worker import run_job
from core.bulk.cli import progress_line
from core.models import ContentItem, GenerationLog
from core.schemas import ProductRequest
from tests.samples import blog_draft, product_draft

FAST = jobs.JobOptions(provider="fake", concurrency=1, backoff_seconds=0.01, max_attempts=2)


pytestmark = pytest.mark.usefixtures("stop_bulk_workers")


def test_needs_review_rows_are_counted_apart_and_can_be_written_again(generator, engine, fake):
    bad = blog_draft(title="Blog post about [blog_name]")
    fake.enqueue([blog_draft(), bad, bad])  # row 2 passes; row 3 fails the gate twice
    data = b"topic,keywords\nRunning shoe guide one,shoes\nRunning shoe guide two,shoes\n"
    job_id, _ = jobs.create_job(generator, data, "blog", "ana@example.com", FAST)
    assert run_job(generator, job_id) == "finished"
    state = jobs.progress(engine, job_id)
    assert (state.succeeded, state.needs_review, state.failed, state.done) == (1, 1, 0, 2)
    [flagged] = jobs.items(engine, job_id, status="needs_review")
    assert "placeholder" in flagged["error"] and flagged["content_item_id"] is not None
    with Session(engine) as session:
        assert session.get(ContentItem, flagged["content_item_id"]).warnings
        assert [log.status for log in session.exec(select(GenerationLog))] == ["succeeded", "needs_review"]
    assert "1 need review" in progress_line(state)
    assert jobs.retry_needs_review(engine, job_id) == 1
    fake.enqueue([blog_draft()])
    assert run_job(generator, job_id) == "finished"
    state = jobs.progress(engine, job_id)
    assert (state.succeeded, state.needs_review) == (2, 0)


def test_product_rows_with_empty_fields_fail_with_a_reason_and_a_log_row(generator, engine, fake):
    empty = product_draft(short_description=" ", description_html="<p> </p>")
    fake.enqueue([empty] * 4)
    response = generator.generate(ProductRequest(name="TrailFlex shoe"), "ana", log_type="bulk")
    assert response.status == "failed" and "short_description" in response.error
    with Session(engine) as session:
        [log] = session.exec(select(GenerationLog))
    assert (log.type, log.status, log.error) == ("bulk", "failed", response.error)
