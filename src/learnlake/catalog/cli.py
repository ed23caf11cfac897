"""`learnlake catalog create|update|drop` (mounted by the main CLI as the `catalog` group)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from learnlake.cli.common import AppState, Exit, emit_summary, fail, state_of

if TYPE_CHECKING:
    from learnlake.catalog.sync import CatalogReport

app = typer.Typer(help="Athena/Glue catalog over the lake.", no_args_is_help=True)
TABLES = typer.Option(None, "--table", "-t", help="Only these lake tables (repeatable).")


def _finish(app_state: AppState, action: str, report: CatalogReport) -> None:
    summary = {
        "action": action,
        "failed": report.failed,
        "objects": [{"object": o, "status": s, "detail": d} for o, s, d in report.lines],
    }
    human = "\n".join(f"{s:4} {o}" + (f"  ({d})" if d else "") for o, s, d in report.lines)
    if app_state.json:
        emit_summary(app_state, summary)
    elif human:
        typer.echo(human)  # plain lines: one per target, never wrapped or styled
    if report.failed:
        raise typer.Exit(int(Exit.FAILED))


def _run(ctx: typer.Context, action: str, tables: list[str] | None, **kwargs: bool) -> None:
    from learnlake.catalog.sync import CatalogConfigError, drop, sync

    app_state = state_of(ctx)
    settings = app_state.settings()
    try:
        if action == "drop":
            report = drop(settings, tables or None, drop_database=kwargs.get("database", False))
        else:
            report = sync(settings, tables or None, create_database=action == "create")
    except CatalogConfigError as exc:
        fail(str(exc), Exit.USAGE)
    _finish(app_state, action, report)


@app.command("create")
def create_command(ctx: typer.Context, table: list[str] = TABLES) -> None:
    """Create the database, tables, partitions and views (existing ones are updated)."""
    _run(ctx, "create", table)


@app.command("update")
def update_command(ctx: typer.Context, table: list[str] = TABLES) -> None:
    """Bring tables, partitions and views in line with the lake (after new columns or partitions)."""
    _run(ctx, "update", table)


@app.command("drop")
def drop_command(
    ctx: typer.Context,
    table: list[str] = TABLES,
    database: bool = typer.Option(False, "--database", help="Also drop the database when it is then empty."),
) -> None:
    """Drop the views and tables learnlake created."""
    _run(ctx, "drop", table, database=database)
