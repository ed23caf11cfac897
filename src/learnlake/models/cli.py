"""`learnlake models run|list|docs`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from learnlake.cli.common import Exit, console, emit_summary, err_console, fail, state_of
from learnlake.config import Settings
from learnlake.models.spec import ModelError, Project, load_project

app = typer.Typer(no_args_is_help=True, help="Build, list and document the SQL models.")


def _project(settings: Settings) -> Project:
    user_dir = getattr(settings.models, "user_dir", None)
    try:
        return load_project(Path(user_dir) if user_dir else None)
    except ModelError as exc:
        fail(str(exc), Exit.FAILED)


def _interval(value: str | None) -> tuple[dt.date, dt.date] | None:
    if not value:
        return None
    try:
        start, end = (dt.date.fromisoformat(part) for part in value.split("/"))
    except ValueError:
        fail(f"--interval {value!r}: expected START/END dates, e.g. 2014-07-30/2014-08-07", Exit.USAGE)
    if end <= start:
        fail(f"--interval {value!r}: the end must be after the start", Exit.USAGE)
    return start, end


def _as_of(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        fail(f"--as-of {value!r}: expected an ISO date or timestamp", Exit.USAGE)


@app.command("run")
def run_command(
    ctx: typer.Context,
    names: list[str] = typer.Argument(None, help="Models to build (default: all)."),
    select: list[str] = typer.Option(
        [], "--select", "-s", help="NAME, +NAME (with upstream), NAME+ (with downstream), group:G, user."
    ),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild incremental models whole."),
    source: list[str] = typer.Option(
        [], "--source", help="TABLE=FILE.csv|.parquet: run NAME in isolation on these files."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Isolated run: write rows to .csv/.parquet."
    ),
    engine: str = typer.Option("duckdb", "--engine", help="Isolated run: duckdb or chdb (ClickHouse)."),
    as_of: str | None = typer.Option(None, "--as-of", help="'Today' for at-risk/active (default: now)."),
    interval: str | None = typer.Option(
        None, "--interval", help="START/END: Insights reports cover [START, END) (default: all events)."
    ),
) -> None:
    """Build models into the lake and warehouse, or one model on given files (--source)."""
    app_state = state_of(ctx)
    settings = app_state.settings()
    project = _project(settings)
    when = _as_of(as_of)
    period = _interval(interval)
    if source or output:
        _isolated(app_state, settings, project, names or [], source, output, engine, when, period)
        return
    from learnlake.models.build import build_models
    from learnlake.state import batch_lock

    try:
        with batch_lock(settings.state_dir, "learnlake models run"):
            report = build_models(
                settings,
                [*(names or []), *select],
                full_refresh=full_refresh,
                as_of=when,
                project=project,
                interval=period,
            )
    except ModelError as exc:
        fail(str(exc), Exit.USAGE)
    summary = report.summary()
    human = "\n".join(
        f"{r.name:40s} {r.status:10s} {r.rows if r.rows is not None else '':>10} {r.seconds:7.2f}s"
        + (f"  {r.message}" if r.message else "")
        for r in report.results
    )
    for err in report.errors:
        err_console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
    emit_summary(app_state, summary, human)
    if report.failed:
        raise typer.Exit(int(Exit.FAILED))


def _isolated(
    app_state: object,
    settings: Settings,
    project: Project,
    names: list[str],
    source: list[str],
    output: Path | None,
    engine: str,
    as_of: dt.datetime | None,
    interval: tuple[dt.date, dt.date] | None = None,
) -> None:
    import sys

    import pyarrow.csv as pacsv

    from learnlake.models.isolated import parse_sources, run_isolated, write_output

    if len(names) != 1:
        fail(
            "an isolated run (--source/--output) builds exactly one model: models run NAME --source ...",
            Exit.USAGE,
        )
    broken = [e for e in project.errors if Path(e.path).name == f"{names[0]}.sql"]
    if broken:
        fail(str(broken[0]), Exit.FAILED)
    try:
        sources = parse_sources(source)
        rows = run_isolated(
            project.models,
            names[0],
            sources,
            engine=engine,
            at_risk_days=settings.models.at_risk_days,
            active_days=settings.models.active_days,
            as_of=as_of,
            interval=interval,
        )
    except (ModelError, ValueError) as exc:
        fail(str(exc), Exit.USAGE if isinstance(exc, ValueError) else Exit.FAILED)
    if output is None:
        pacsv.write_csv(rows, sys.stdout.buffer)
        return
    try:
        write_output(rows, output)
    except ValueError as exc:
        fail(str(exc), Exit.USAGE)
    emit_summary(
        app_state,  # type: ignore[arg-type]
        {"model": names[0], "rows": rows.num_rows, "output": str(output)},
        f"{names[0]}: {rows.num_rows:,} rows -> {output}",
    )


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List every model: group, materialization, grain, what it reads."""
    from learnlake.models.graph import build_order, dependencies, sources

    app_state = state_of(ctx)
    project = _project(app_state.settings())
    models = project.models
    rows: list[dict[str, Any]] = []
    for name in build_order(models):
        m = models[name]
        rows.append(
            {
                "name": name,
                "group": m.group,
                "materialization": m.header.materialization,
                "grain": m.header.grain,
                "reads": sorted(dependencies(m, models) | sources(m, models)),
                "path": str(m.path),
            }
        )
    if app_state.json:
        emit_summary(app_state, {"models": rows, "errors": [str(e) for e in project.errors]})
    else:
        table = Table("model", "group", "materialization", "grain", "reads")
        for r in rows:
            table.add_row(r["name"], r["group"], r["materialization"], r["grain"], ", ".join(r["reads"]))
        console.print(table)
    for err in project.errors:
        err_console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
    if project.errors:
        raise typer.Exit(int(Exit.FAILED))


@app.command("docs")
def docs_command(
    ctx: typer.Context,
    fmt: str = typer.Option("markdown", "--format", "-f", help="markdown or html."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
) -> None:
    """Document every model: description, grain, materialization, columns, lineage."""
    from learnlake.models.docs import render

    if fmt not in ("markdown", "html"):
        fail("--format must be markdown or html", Exit.USAGE)
    project = _project(state_of(ctx).settings())
    text = render(project.models, fmt)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
