"""Bulk jobs: POST /api/bulk (CSV or JSON rows → 202 + job id), progress, cancel, retry."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import bulk
from core.bulk.csvfile import rows_to_csv
from core.bulk.jobs import check_control
from core.bulk.mapping import UnmappedColumnError, parse_map_option
from core.errors import ValidationFailedError, describe_validation_error

from ..deps import Caller, IdempotencyKey, RowId, Svc, idempotent, json_response
from ..problems import UnsupportedMediaTypeError, responses

router = APIRouter(tags=["bulk"])
ROWS_SHOWN = 1000


MAPPING_DOC = ("Which column feeds which field, where the names differ: {\"topic\": \"Idea\"}; an empty column "
               "name unmaps a field matched automatically.")


class BulkRows(BaseModel):
    """JSON alternative to a CSV upload: one object per row, with the CSV's column names as keys."""

    model_config = ConfigDict(extra="forbid")  # a misplaced "kind" or "concurrency" is an error, not ignored

    rows: list[dict] = Field(min_length=1, max_length=10_000, description="One object per row, keyed by column.")
    options: bulk.JobOptions = Field(default_factory=bulk.JobOptions)
    mapping: dict[str, str] = Field(default_factory=dict, description=MAPPING_DOC)


class BulkCreated(BaseModel):
    """The queued job and what validation found."""

    job_id: int
    total_rows: int
    queued_rows: int
    problems: list[dict] = Field(description="Problems found per row: {row, column, message, level (error: the row was left out, or warning)}.")


class BulkStatus(BaseModel):
    """A job's progress and its rows."""

    job_id: int
    kind: str
    status: str
    total: int
    pending: int
    running: int
    succeeded: int
    failed: int
    needs_review: int = Field(0, description="Rows saved with quality warnings, counted apart from succeeded.")
    cancelled: int
    rate_per_min: float | None
    eta_seconds: float | None
    pause_reason: str | None = Field(None, description="Why a paused job paused itself (no quota left, a rejected "
                                                       "key, the provider down); fix it, then POST …/resume.")
    rows: list[dict] = Field(description="Per row: row, status, attempts, input, title, error, latency_ms, "
                                         "content_item_id (the first 1,000).")


BODY_DOC = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example": "topic,keywords\nTrail shoes for beginners,trail shoes\n"},
    "application/json": {"schema": {
        "type": "object", "required": ["rows"], "additionalProperties": False, "properties": {
            "rows": {"type": "array", "minItems": 1, "maxItems": 10_000, "items": {"type": "object"},
                     "description": BulkRows.model_fields["rows"].description or "One object per row."},
            "options": bulk.JobOptions.model_json_schema(),
            "mapping": {"type": "object", "additionalProperties": {"type": "string"}, "description": MAPPING_DOC}}},
                         "example": {"rows": [{"topic": "Trail shoes for beginners", "keywords": ["trail shoes"]}]}},
}}}


@router.post("/bulk", status_code=202, response_model=BulkCreated, openapi_extra=BODY_DOC,
             summary="Start a bulk job from CSV or JSON rows",
             responses=responses("unauthorized", "forbidden", "payload-too-large", "unsupported-media-type",
                                 "validation-failed", "request-in-progress", "idempotency-key-reused",
                                 "rate-limited"))
async def create(request: Request, svc: Svc, user: Caller,
                 kind: Annotated[Literal["blog", "product"], Query(description="What each row becomes.")] = "blog",
                 mapping: Annotated[str | None, Query(description="FIELD=COLUMN pairs where the names differ, e.g. "
                                                      "topic=Idea,keywords=Tags (the CLI's --map).")] = None,
                 key: IdempotencyKey = None):
    """Validate the rows and queue one item per good row; the job runs in the background (poll GET /api/bulk/{id})."""
    raw, options, media = await request.body(), bulk.JobOptions(), request.headers.get("content-type", "")
    data, overrides = raw, parse_map_option(mapping)
    if media.startswith("application/json"):
        try:
            rows = BulkRows.model_validate_json(raw)
        except ValidationError as exc:
            raise ValidationFailedError(_body_error(exc)) from None
        data, options, overrides = rows_to_csv(rows.rows), rows.options, {**overrides, **rows.mapping}
    elif not media.startswith(("text/csv", "text/plain", "application/octet-stream")):
        raise UnsupportedMediaTypeError("Send the rows as text/csv (a CSV file) or application/json ({\"rows\": […]}).")

    def produce():
        try:
            job_id, report = bulk.create_job(svc.generator, data, kind, user, options, overrides, source_name="api")
        except UnmappedColumnError as error:
            raise ValidationFailedError(error.for_api()) from None
        svc.wake_bulk()
        return json_response(BulkCreated(job_id=job_id, total_rows=report.total, queued_rows=report.good,
                                         problems=[p.__dict__ for p in report.problems[:ROWS_SHOWN]]), 202)

    payload = f"{kind}\0{media}\0" + raw.decode("utf-8", "replace")
    return await run_in_threadpool(idempotent, svc, request, user, key, payload, produce)


def _body_error(exc: ValidationError) -> str:
    """How to fix a JSON body; keys it does not take are named with where they belong."""
    unknown = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
    if unknown:
        return (f"The body takes rows, options and mapping, not {', '.join(map(repr, unknown))}: the kind is a query "
                "parameter (POST /api/bulk?kind=product), and job settings such as concurrency go in \"options\".")
    return f"Fix the JSON body: {describe_validation_error(exc, limit=5)}."


@router.get("/bulk/{job_id}", response_model=BulkStatus, summary="A bulk job's progress and rows",
            responses=responses("unauthorized", "forbidden", "not-found", "rate-limited"))
def status(job_id: RowId, svc: Svc, user: Caller,
           row_status: Annotated[Literal["pending", "running", "succeeded", "failed", "cancelled"] | None,
                                 Query(description="Only rows in this state.")] = None):
    """Counts, pace, time left and the rows (their content item ids once generated)."""
    check_control(bulk.get_job(svc.engine, job_id), user)
    state = bulk.progress(svc.engine, job_id)
    return BulkStatus(**{k: v for k, v in state.__dict__.items() if k in BulkStatus.model_fields},
                      rows=bulk.items(svc.engine, job_id, status=row_status, limit=ROWS_SHOWN))


@router.post("/bulk/{job_id}/cancel", response_model=BulkStatus, summary="Cancel the rows not started yet",
             responses=responses("unauthorized", "forbidden", "not-found", "validation-failed", "rate-limited"))
def cancel(job_id: RowId, svc: Svc, user: Caller):
    """Rows already running finish; the others are cancelled."""
    bulk.cancel_job(svc.engine, job_id, actor=user)
    return status(job_id, svc, user)


@router.post("/bulk/{job_id}/pause", response_model=BulkStatus, summary="Stop starting rows; rows under way finish",
             responses=responses("unauthorized", "forbidden", "not-found", "validation-failed", "rate-limited"))
def pause(job_id: RowId, svc: Svc, user: Caller):
    """The job keeps its rows; POST …/resume goes on with them."""
    bulk.pause_job(svc.engine, job_id, actor=user)
    return status(job_id, svc, user)


@router.post("/bulk/{job_id}/resume", response_model=BulkStatus, summary="Go on with a paused job",
             responses=responses("unauthorized", "forbidden", "not-found", "validation-failed", "rate-limited"))
def resume(job_id: RowId, svc: Svc, user: Caller):
    """The rows not done yet run; a job that paused itself had its reason in `pause_reason`."""
    bulk.resume_job(svc.engine, job_id, actor=user)
    svc.wake_bulk()
    return status(job_id, svc, user)


@router.post("/bulk/{job_id}/retry", response_model=BulkStatus, summary="Re-run only the failed rows",
             responses=responses("unauthorized", "forbidden", "not-found", "rate-limited"))
def retry(job_id: RowId, svc: Svc, user: Caller):
    """Queue the failed rows again; a finished or cancelled job is queued again."""
    bulk.retry_failed(svc.engine, job_id, actor=user)
    svc.wake_bulk()
    return status(job_id, svc, user)
