"""`learnlake extract` and `learnlake tables discover|fields`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from learnlake.cli.common import Exit, emit_summary, fail, state_of
from learnlake.state import StateStore, batch_lock


class _TablesFailed(Exception):
    """Some tables failed (the others were extracted)."""


tables_app = typer.Typer(no_args_is_help=True, help="Update the configured tables from the database.")


def extract_command(
    ctx: typer.Context,
    datasource: str | None = typer.Option(None, "--datasource", "-d", help="Only this datasource."),
    table: list[str] = typer.Option(None, "--table", "-t", help="Only these tables (repeatable)."),
    full: bool = typer.Option(False, "--full", help="Reload the tables whole, ignoring the saved state."),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another batch run to finish."),
) -> None:
    """Extract the LMS (or any SQL) tables into the lake, incrementally; exit 1 if a table failed."""
    from learnlake.extract.run import extract, sql_datasources
    from learnlake.warehouse import open_warehouse

    app_state = state_of(ctx)
    settings = app_state.settings()
    if not sql_datasources(settings, datasource):
        fail(
            f"no SQL datasource{' named ' + datasource if datasource else ''} in extract.datasources",
            Exit.USAGE,
        )
    with batch_lock(settings.state_dir, "learnlake extract", wait_s=wait):
        store = StateStore(settings.state_dir)
        try:
            with store.run("extract", [datasource or "*"]) as counters:
                report = extract(settings, store, datasource, list(table or []) or None, full, counters)
                if report.failed:  # recorded as a failed run, its message naming the tables
                    raise _TablesFailed(counters.message or "")
        except _TablesFailed:
            pass
        finally:
            store.close()
    open_warehouse(settings).refresh()
    lines = [
        f"{t.datasource}.{t.table}: {t.status}, {t.rows:,} rows, {t.seconds:.2f}s"
        + (f" — {t.error}" if t.error else "")
        for t in report.tables
        if t.status != "skipped" or app_state.verbose
    ]
    skipped = sum(1 for t in report.tables if t.status == "skipped")
    lines.append(
        f"{len(report.tables)} tables, {report.rows:,} rows, {skipped} unchanged, {len(report.failed)} failed"
    )
    emit_summary(
        app_state, {"tables": [asdict(t) for t in report.tables], "rows": report.rows}, "\n".join(lines)
    )
    if report.failed:
        raise typer.Exit(int(Exit.FAILED))


def _config_path(ctx: typer.Context) -> Path:
    app_state = state_of(ctx)
    app_state.settings()
    path = app_state.config or Path("learnlake.yaml")
    if not path.exists():
        fail(f"{path}: no settings file to update (run `learnlake init` first)", Exit.USAGE)
    return path


@tables_app.command("discover")
def discover_command(
    ctx: typer.Context,
    datasource: str | None = typer.Option(None, "--datasource", "-d", help="Only this datasource."),
    tables: list[str] = typer.Option(None, "--tables", "-t", help="Glob patterns of table names to add."),
    prune: bool = typer.Option(False, "--prune", help="Remove configured tables the database lacks."),
) -> None:
    """Add the database's tables to each SQL datasource's `tables`, keeping edits and comments."""
    from learnlake.extract.discover import discover_tables

    path = _config_path(ctx)
    settings = state_of(ctx).settings()
    changes = discover_tables(path, settings, datasource, list(tables or []) or ["*"], prune)
    emit_summary(state_of(ctx), {"changes": changes}, "\n".join(changes) or "no change")


@tables_app.command("fields")
def fields_command(
    ctx: typer.Context,
    datasource: str | None = typer.Option(None, "--datasource", "-d", help="Only this datasource."),
    tables: list[str] = typer.Option(None, "--tables", "-t", help="Only these tables."),
) -> None:
    """Write each configured table's columns and types from the database, keeping edits and comments."""
    from learnlake.extract.discover import discover_fields

    path = _config_path(ctx)
    settings = state_of(ctx).settings()
    changes = discover_fields(path, settings, datasource, list(tables or []) or None)
    emit_summary(state_of(ctx), {"changes": changes}, "\n".join(changes) or "no change")
