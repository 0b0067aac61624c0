"""/docs and /redoc served with Swagger UI and ReDoc from the pinned fastapi-offline package, never a CDN.

FastAPI's own pages load their scripts, styles, favicon and fonts from the internet, so an offline server
showed a blank page. This is FastAPI's documented self-hosting of the docs assets ("Custom Docs UI Static
Assets"), with the files the fastapi-offline wheel ships.
"""

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS = files("fastapi_offline") / "static"  # swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon
# validatorUrl: Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def add_docs(app: FastAPI, prefix: str) -> None:
    """GET {prefix}/docs (Swagger UI), {prefix}/redoc (ReDoc) and their assets under {prefix}/docs-assets."""
    assets = f"{prefix}/docs-assets"
    app.mount(assets, StaticFiles(directory=str(ASSETS)), name="docs-assets")

    def base(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")  # "/api" when server.py mounts the API there

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = base(request)
        return get_swagger_ui_html(openapi_url=root + app.openapi_url, title=f"{app.title} — Swagger UI",
                                   swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{assets}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{assets}/favicon.png",
                                   swagger_ui_parameters=SWAGGER_PARAMETERS)

    @app.get(f"{prefix}/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = base(request)
        return get_redoc_html(openapi_url=root + app.openapi_url, title=f"{app.title} — ReDoc",
                              redoc_js_url=f"{root}{assets}/redoc.standalone.js",
                              redoc_favicon_url=f"{root}{assets}/favicon.png", with_google_fonts=False)
