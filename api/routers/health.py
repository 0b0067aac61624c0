"""GET /api/health (no token) and GET /api/problems/{slug}: readiness and what each problem type means."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core.health import database_status, provider_status

from ..deps import Svc
from ..problems import PROBLEMS, problem, responses

router = APIRouter(tags=["meta"])


class Health(BaseModel):
    """ok: database and provider pass their checks; degraded: the provider does not; down: the database does not (503).

    provider: {name, ok, checked (what was checked, e.g. "TCP connection to 127.0.0.1:11434"), error}.
    """

    status: Literal["ok", "degraded", "down"]
    database: dict
    provider: dict


class ProblemType(BaseModel):
    """One problem type: its HTTP status and title."""

    type: str
    status: int
    title: str


@router.get("/health", response_model=Health, summary="Database and provider reachability (no token)",
            responses={503: {"model": Health, "description": "The database does not answer."}})
def health(svc: Svc):
    """For load balancers and the WordPress plugin's connection test."""
    database, provider = database_status(svc.engine), provider_status(svc.generator.settings)
    state = "down" if not database["ok"] else "degraded" if not provider["ok"] else "ok"
    body = Health(status=state, database=database, provider=provider)
    return JSONResponse(body.model_dump(), status_code=503 if state == "down" else 200)


@router.get("/problems", response_model=list[ProblemType], summary="Every problem type the API answers with")
def problem_types():
    """The stable `type` values of error answers (application/problem+json)."""
    return [ProblemType(type=f"/api/problems/{slug}", status=status, title=title)
            for slug, (status, title, _) in PROBLEMS.items()]


@router.get("/problems/{slug}", response_model=ProblemType, summary="One problem type",
            responses=responses("not-found"))
def problem_type(slug: str, request: Request):
    """What a problem's `type` URI names."""
    if slug not in PROBLEMS:
        return problem("not-found", f"There is no problem type {slug!r}: see /api/problems.", request)
    status, title, _ = PROBLEMS[slug]
    return ProblemType(type=f"/api/problems/{slug}", status=status, title=title)
