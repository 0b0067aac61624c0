"""What every router needs: the services, the calling user (bearer token + rate limit), idempotent replays."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.access import idempotency
from core.access.audit import AuditLog
from core.access.throttle import TokenThrottle
from core.access.tokens import authenticate_token
from core.errors import AuthenticationError
from core.models import User
from core.pipeline import Generator

from .problems import MEDIA_TYPE

bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="A personal API token from Settings → API tokens or `python -m core tokens create`.")


@dataclass
class Services:
    """The process's pipeline, token rate limiter, audit log and (optionally) the bulk worker."""

    generator: Generator
    throttle: TokenThrottle
    audit: AuditLog
    bulk_worker: object | None = None

    @property
    def engine(self):
        return self.generator.engine

    def wake_bulk(self) -> None:
        if self.bulk_worker is not None:
            self.bulk_worker.wake()


async def services(request: Request) -> Services:
    return request.app.state.services


def caller(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
           svc: Annotated[Services, Depends(services)]) -> User:
    """The token's user with its capped role; counts the call against the token's rate limit."""
    if credentials is None:
        raise AuthenticationError("Send your API token as 'Authorization: Bearer <token>'; "
                                  "create one in Settings → API tokens.")
    found = authenticate_token(svc.engine, credentials.credentials)
    request.state.token_id, request.state.user = found.token.id, found.user.email
    svc.throttle.hit(found.token.id)
    return found.user


Caller = Annotated[User, Depends(caller)]
Svc = Annotated[Services, Depends(services)]
# Database ids are signed 64-bit integers: a larger one in a path is a 422, not a database error.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=255,
    description="Any unique string (a UUID): resending the same request with it within 24 h returns the first "
                "answer and creates nothing new.")]


def idempotent(svc: Services, request: Request, user: User, key: str | None, payload: str,
               produce: Callable[[], Response]) -> Response:
    """Run produce() once per Idempotency-Key; a repeat gets the stored answer with Idempotent-Replayed: true."""
    if not key:
        return produce()
    path = request.url.path + ("?" + request.url.query if request.url.query else "")
    replay = idempotency.begin(svc.engine, user.id, key,
                               idempotency.fingerprint(request.method, path, payload.encode()))
    if replay is not None:
        return Response(replay.body, replay.status_code, headers={"Idempotent-Replayed": "true"},
                        media_type=MEDIA_TYPE if replay.status_code >= 400 else "application/json")
    try:
        response = produce()
    except BaseException:
        idempotency.release(svc.engine, user.id, key)
        raise
    idempotency.finish(svc.engine, user.id, key, response.status_code, bytes(response.body).decode())
    return response


def json_response(model, status_code: int = 200) -> JSONResponse:
    """A pydantic model (or plain data) as JSON."""
    data = model.model_dump(mode="json") if hasattr(model, "model_dump") else json.loads(json.dumps(model, default=str))
    return JSONResponse(data, status_code=status_code)
