"""The FastAPI application served by `learnlake serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from learnlake import __version__
from learnlake.config import Settings
from learnlake.serve.status import status

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def create_app(settings: Settings) -> FastAPI:
    """Build the web app for one installation."""
    app = FastAPI(
        title="learnlake", version=__version__, docs_url="/api/docs", openapi_url="/api/v1/openapi.json"
    )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def status_page(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(
            request, "status.html", {"status": status(settings), "version": __version__}
        )

    @app.get("/api/v1/status")
    def status_api() -> dict[str, Any]:
        """The lake's tables and the recent runs."""
        return status(settings)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
