"""ASGI middleware: request body limit, per-call audit, CORS for the connected sites."""

import time

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.access.audit import AuditLog
from core.access.cors import allowed_origins

UNAUDITED = ("/api/docs", "/api/redoc", "/api/openapi.json", "/api/problems")
ORIGINS_TTL = 60.0  # seconds a computed origin list is reused; a newly connected site is allowed within a minute


class BodyLimitMiddleware:
    """Refuse bodies over max_bytes: by Content-Length up front, or while a chunked body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = (f"The request body is larger than {self.max_bytes:,} bytes: send a smaller one "
                   "(split a bulk file into several jobs).")
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            scope.setdefault("state", {})["body_too_large"] = message
        received = 0

        async def limited() -> Message:
            nonlocal received
            if "body_too_large" in scope.get("state", {}):
                raise HTTPException(413, message)
            event = await receive()
            received += len(event.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, message)
            return event

        await self.app(scope, limited, send)


class AuditMiddleware:
    """Record every API call (token, user, route, status, latency) once its answer is sent."""

    def __init__(self, app: ASGIApp, audit: AuditLog):
        self.app, self.audit = app, audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNAUDITED):
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            state, route = scope.get("state", {}), scope.get("route")
            self.audit.record(token_id=state.get("token_id"), user=state.get("user", ""), method=scope["method"],
                              endpoint=route_template(scope) if route else "(unmatched)", status_code=status,
                              latency_ms=(time.perf_counter() - started) * 1000, problem=state.get("problem", ""))


def route_template(scope: Scope) -> str:
    """The request path with each path parameter's value put back as {name}: /api/items/{item_id}."""
    segments = scope["path"].split("/")
    for name, value in scope.get("path_params", {}).items():
        for index in range(len(segments) - 1, -1, -1):
            if segments[index] == str(value):
                segments[index] = "{" + name + "}"
                break
    return "/".join(segments)


class SitesCORSMiddleware(CORSMiddleware):
    """CORS whose allowed origins are the connected WordPress sites and settings, re-read every minute."""

    def __init__(self, app: ASGIApp, engine, settings, **options):
        super().__init__(app, allow_origins=(), **options)
        self.engine, self.settings = engine, settings
        self._origins: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def is_allowed_origin(self, origin: str) -> bool:
        if time.monotonic() - self._read_at > ORIGINS_TTL:
            self._origins, self._read_at = allowed_origins(self.engine, self.settings), time.monotonic()
        return origin.lower() in self._origins
