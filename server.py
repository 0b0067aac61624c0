"""The ContentCraft server: `streamlit run server.py` serves app.py, the session-cookie routes and the API.

One process for a single machine: the dashboard at / and the headless API at /api (the API alone is
`python -m api`; see README, "Headless API"). Streamlit's st.App (an ASGI app) adds two small routes:
one trades the one-time code a fresh sign-in hands the browser for an HttpOnly, SameSite=Lax signed
cookie, one clears it. At start it migrates the database, refuses a missing or wrong secret key, and
prints the setup token while no user exists. All logic lives in core; this file only speaks HTTP.
"""

import time
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from streamlit.runtime.pages_manager import PagesManager

from api.app import create_app
from core.db import upgrade
from core.identity import sessions


def _engine():
    from core.db import get_engine

    return get_engine()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def set_session_cookie(request: Request) -> Response:
    """POST code=… (the one-time handoff code) → 204 with the session cookie, or 400."""
    if not _same_origin(request):
        return Response(status_code=403)
    code = str((await request.form()).get("code", ""))
    result = await run_in_threadpool(sessions.exchange, _engine(), code, sessions.signer())
    if result is None:
        return Response("Unknown or used sign-in code.", status_code=400)
    cookie, max_age = result
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(sessions.COOKIE_NAME, cookie, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=_secure(request))
    return response


async def clear_session_cookie(request: Request) -> Response:
    """POST → 204: the session behind the cookie ends and the cookie is deleted."""
    if not _same_origin(request):
        return Response(status_code=403)
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    await run_in_threadpool(sessions.end, _engine(), cookie=cookie, signer=sessions.signer())
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def _start() -> None:
    from streamlit import config

    from core import auth
    from core.config import get_settings
    from core.identity import setup, throttle
    from core.logs import configure_logging
    from core.wordpress.secrets import check_key

    settings = get_settings()
    configure_logging(settings.log_level)
    check_key(_engine())  # stored secrets but a missing or wrong key: do not start
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    auth.ensure_admin_from_settings(_engine(), settings.admin_email, password)
    sessions.purge_expired(_engine())
    throttle.purge(_engine(), time.time())
    address = config.get_option("server.address") or "127.0.0.1"
    setup.announce(_engine(), f"http://{address}:{config.get_option('server.port')}")


@asynccontextmanager
async def lifespan(_app):
    from ui.bulk_worker import bulk_worker

    await run_in_threadpool(_start)
    # At start, not on a browser's first visit: after a restart, queued and interrupted jobs go on with nobody
    # signed in (app.py asks for the same cached worker).
    await run_in_threadpool(bulk_worker)
    yield


# app.py routes with st.navigation, but Streamlit only learns that when st.navigation first runs; until then
# a server's first run treats pages/ as an old-style pages folder and runs pages/library.py directly for a
# deep link (no sign-in gate, the internal modules listed). Say so up front (PagesManager's own class flag,
# which st.navigation sets to False on its first call anyway).
PagesManager.uses_pages_directory = False
upgrade()  # before the API below reads dashboard settings from the database

app = st.App("app.py", lifespan=lifespan, routes=[
    Route(sessions.SESSION_ROUTE, set_session_cookie, methods=["POST"]),
    Route(sessions.SIGNOUT_ROUTE, clear_session_cookie, methods=["POST"]),
    # The dashboard's bulk worker starts with the server (lifespan), so the mounted API does not start a second one.
    Mount("/api", app=create_app(bulk_worker=False, prefix="")),
])

if __name__ == "__main__":
    app.run()
