"""The FastAPI application served by `learnlake serve`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from learnlake import __version__
from learnlake.config import Settings
from learnlake.serve import pages
from learnlake.serve.api import dashboards as dashboards_api
from learnlake.serve.api import embed as embed_api
from learnlake.serve.api import sql as sql_api
from learnlake.serve.auth.deps import LoginRequired, principal
from learnlake.serve.auth.oidc import LmsSignIn
from learnlake.serve.auth.scope import Principal
from learnlake.serve.auth.tokens import secret_key
from learnlake.serve.context import ServeContext
from learnlake.serve.dashboards.prewarm import Prewarmer
from learnlake.serve.i18n import LocaleMiddleware
from learnlake.serve.status import status

STATIC = Path(__file__).parent / "static"


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/embed/")) and "text/html" in request.headers.get("accept", "")


def create_app(settings: Settings) -> FastAPI:
    """Build the web app for one installation."""
    ctx = ServeContext.build(settings)
    warmers: list[Prewarmer] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        warmer = Prewarmer(ctx.runner, ctx.users)
        if os.environ.get("LEARNLAKE_SERVE_PREWARM", "1") != "0":
            warmer.start()
        else:
            warmer.idle.set()
        warmers.append(warmer)
        yield
        warmer.stopped.set()

    app = FastAPI(
        lifespan=lifespan,
        title="learnlake",
        version=__version__,
        description="Dashboards' data, read-only SQL and embed tokens. Authenticate with "
        "`Authorization: Bearer <token>` (`learnlake users token NAME`) or a session cookie.",
        docs_url=None,  # served below from the package's own Swagger UI copy (no CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.ctx = ctx
    app.state.lms = LmsSignIn(settings, secret_key(settings))
    app.add_middleware(LocaleMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    def _login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_html(request):
            return pages.login_redirect(request)
        return JSONResponse({"detail": exc.detail}, status_code=401, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.get("/api/v1/status", tags=["status"], responses={401: {}, 403: {}})
    def status_api(who: Principal = Depends(principal)) -> dict[str, Any]:
        """The lake's tables and the recent runs (operators)."""
        if not who.is_operator:
            raise HTTPException(403, "operators only")
        return status(settings)

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="learnlake API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """Browsers ask for /favicon.ico on pages without an icon link (error pages): answer it."""
        return RedirectResponse("/static/favicon.svg", status_code=308)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, object]:
        return {"status": "ok", "warm": bool(warmers) and warmers[-1].idle.is_set()}

    app.include_router(dashboards_api.build_router())
    app.include_router(sql_api.router)
    app.include_router(embed_api.router)
    app.include_router(embed_api.build_router())
    app.include_router(pages.router)
    return app
