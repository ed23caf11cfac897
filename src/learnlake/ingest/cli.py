"""`learnlake ingest …` commands (mounted by the main CLI as the `ingest` group)."""

from __future__ import annotations

import typer

from learnlake.cli.common import Exit, emit_summary, fail, state_of

app = typer.Typer(help="Load sources into the lake.", no_args_is_help=True)


@app.command("tracking-logs")
def tracking_logs_command(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(
        None,
        help="Files, folders (recursive, see --glob) or s3://bucket/prefix; default: tracking_logs.paths.",
    ),
    glob: str | None = typer.Option(None, "--glob", help="File name pattern inside folders."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="Parser processes (default: one per core for large inputs; 0 = this process parses all).",
    ),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another batch run to finish."),
) -> None:
    """Ingest tracking logs incrementally: raw events, xAPI statements, quarantine."""
    from learnlake.ingest.run import STAGE, human_summary, ingest_tracking_logs
    from learnlake.ingest.sources import SourceError
    from learnlake.state import StateStore, batch_lock
    from learnlake.warehouse import duckdb as _duckdb_warehouse  # noqa: F401 - import before the lock
    from learnlake.warehouse import open_warehouse

    app_state = state_of(ctx)
    settings = app_state.settings()
    if glob:
        settings = settings.model_copy(
            update={"tracking_logs": settings.tracking_logs.model_copy(update={"glob": glob})}
        )
    chosen = list(sources or settings.tracking_logs.paths)
    if not chosen:
        fail("no source given and tracking_logs.paths is empty", Exit.USAGE)
    with batch_lock(settings.state_dir, f"learnlake ingest tracking-logs {' '.join(chosen)}", wait_s=wait):
        store = StateStore(settings.state_dir)
        try:
            store.mark_interrupted()
            try:
                with store.run(STAGE, chosen) as counters:
                    summary = ingest_tracking_logs(settings, store, chosen, counters, workers=workers)
            except SourceError as exc:
                fail(str(exc), Exit.USAGE)
        finally:
            store.close()
    open_warehouse(settings).refresh()
    emit_summary(app_state, summary.as_dict(), human_summary(summary))
    if summary.quarantined:
        raise typer.Exit(int(Exit.QUARANTINED))


@app.command("replay")
def replay_command(
    ctx: typer.Context,
    since: str | None = typer.Option(
        None, "--since", help="First day to re-derive (YYYY-MM-DD); default: all."
    ),
    until: str | None = typer.Option(None, "--until", help="Last day (YYYY-MM-DD); default: all."),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another batch run to finish."),
) -> None:
    """Re-derive xapi_events_all from tracking_events (after a transformer upgrade), day by day."""
    import datetime as dt
    from dataclasses import asdict

    from learnlake.ingest.replay import replay
    from learnlake.state import StateStore, batch_lock
    from learnlake.warehouse import open_warehouse

    app_state = state_of(ctx)
    settings = app_state.settings()
    try:
        first = dt.date.fromisoformat(since) if since else None
        last = dt.date.fromisoformat(until) if until else None
    except ValueError as exc:
        fail(f"--since/--until: {exc}", Exit.USAGE)
    with batch_lock(settings.state_dir, "learnlake replay", wait_s=wait):
        store = StateStore(settings.state_dir)
        try:
            with store.run("xapi-replay", [f"since {since or 'start'}"]) as counters:
                try:
                    summary = replay(settings, first, last)
                except RuntimeError as exc:
                    fail(str(exc))
                counters.rows_in, counters.rows_out = summary.events, summary.statements
        finally:
            store.close()
    open_warehouse(settings).refresh()
    emit_summary(
        app_state,
        asdict(summary),
        f"{summary.days} days replayed: {summary.events:,} events -> {summary.statements:,} statements "
        f"({summary.not_mapped:,} not mapped, {summary.rejected:,} rejected, {summary.kept_other:,} kept "
        "from other sources)",
    )
