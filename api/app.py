"""The FastAPI application: routers, problem handlers and middleware around one Generator."""

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from core.access.audit import AuditLog
from core.access.throttle import TokenThrottle
from core.pipeline import Generator

from . import problems
from .docs import add_docs
from .deps import Services
from .middleware import AuditMiddleware, BodyLimitMiddleware, SitesCORSMiddleware
from .routers import analytics, brand, bulk, generate, health, items

DESCRIPTION = """ContentCraft's headless API: generate SEO blog posts and product descriptions, run bulk jobs,
review and publish Library items, score text against a brand voice and read analytics.

Authenticate with a personal token (the dashboard's API tokens page, or `python -m core tokens create EMAIL --name NAME`)
sent as `Authorization: Bearer <token>`. A token acts as its user, never above the user's role. Each token may
make the user's per-minute number of calls (429 with `Retry-After` beyond). Errors are RFC 9457
`application/problem+json` with a stable `type` (see `GET /api/problems`) and a `detail` saying how to fix it.
Send `Idempotency-Key` on creating POSTs so retries never create twice."""


def create_app(generator: Generator | None = None, *, bulk_worker: bool = True, prefix: str = "/api") -> FastAPI:
    """The API bound to generator (default: the configured pipeline); bulk_worker runs queued bulk jobs here.

    prefix is where the routes live: "/api" standalone, "" when mounted at /api inside the dashboard (st.App).
    """
    if generator is None:
        from core.app_settings import configured_generator

        generator = configured_generator()
    settings = generator.settings
    svc = Services(generator=generator, audit=AuditLog(generator.engine),
                   throttle=TokenThrottle(settings.api_rate_limit or settings.rate_limit, settings.redis_url))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if bulk_worker:
            from core.bulk.worker import start_worker

            # DBOS's calls are blocking and refuse to run on an event loop: launch and stop it on a thread.
            svc.bulk_worker = await asyncio.to_thread(start_worker, generator)
        yield
        svc.audit.close()
        if svc.bulk_worker is not None:
            await asyncio.to_thread(svc.bulk_worker.stop, 10)

    app = FastAPI(title="ContentCraft API", version="1.0.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=f"{prefix}/openapi.json",
                  exception_handlers=problems.HANDLERS)
    add_docs(app, prefix)  # Swagger UI and ReDoc from local files: FastAPI's defaults load them from a CDN
    app.state.services = svc
    app.openapi = lambda: _openapi(app)
    for module in (generate, bulk, items, brand, analytics, health):
        app.include_router(module.router, prefix=prefix)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(AuditMiddleware, audit=svc.audit)
    app.add_middleware(SitesCORSMiddleware, engine=generator.engine, settings=settings,
                       allow_methods=("GET", "POST"), allow_headers=("Authorization", "Content-Type", "Idempotency-Key"),
                       expose_headers=("Retry-After", "Idempotent-Replayed"))
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's schema plus the Problem component the error responses refer to."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problems.Problem.model_json_schema()
        unsupported = problems.responses("unsupported-media-type")[415]
        for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
            if "application/json" in operation.get("requestBody", {}).get("content", {}):  # other bodies: 415
                operation["responses"].setdefault("415", unsupported)
        app.openapi_schema = schema
    return app.openapi_schema
