"""`learnlake serve`: the web server."""

from __future__ import annotations

import typer

from learnlake.cli.common import state_of


def serve_command(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address (default: serve.host)."),
    port: int | None = typer.Option(None, "--port", help="Port (default: serve.port)."),
) -> None:
    """Serve dashboards, API and status until interrupted."""
    import uvicorn

    from learnlake.serve.app import create_app

    settings = state_of(ctx).settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.serve.host,
        port=port or settings.serve.port,
        log_level="info",
    )
