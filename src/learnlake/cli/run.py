"""`learnlake run` (every stage) and `learnlake runs` (the run history)."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table

from learnlake.cli.common import Exit, console, emit_summary, state_of
from learnlake.pipeline import run_pipeline
from learnlake.state import StateStore


def run_command(
    ctx: typer.Context,
    stage: list[str] = typer.Option(None, "--stage", help="Only these stages (repeatable)."),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another batch run to finish."),
) -> None:
    """Run the pipeline once: every enabled stage, incrementally."""
    app_state = state_of(ctx)
    settings = app_state.settings()
    results = run_pipeline(settings, only=stage or None, wait_s=wait)
    quarantined = sum(r.quarantined for r in results)
    lines = [
        f"{r.stage}: {r.status}, {r.rows_in:,} in, {r.rows_out:,} out, {r.quarantined:,} quarantined"
        for r in results
    ] or ["no stage is configured (see learnlake.yaml: tracking_logs.paths, extract.datasources)"]
    emit_summary(
        app_state,
        {"stages": [asdict(r) for r in results], "quarantined": quarantined},
        "\n".join(lines),
    )
    if quarantined:
        raise typer.Exit(int(Exit.QUARANTINED))


def runs_command(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", help="How many runs to list."),
    stage: str | None = typer.Option(None, "--stage", help="Only runs of this stage."),
) -> None:
    """List recent runs, newest first."""
    app_state = state_of(ctx)
    settings = app_state.settings()
    if not (settings.state_dir / "state.sqlite").exists():
        emit_summary(app_state, {"runs": []}, "no runs yet")
        return
    store = StateStore(settings.state_dir)
    try:
        runs = store.runs(limit=limit, stage=stage)
    finally:
        store.close()
    if app_state.json:
        emit_summary(app_state, {"runs": [asdict(r) for r in runs]})
        return
    table = Table(
        "id",
        "stage",
        "started",
        "duration",
        "inputs",
        "rows in",
        "rows out",
        "quarantined",
        "status",
        title="learnlake runs",
    )
    for r in runs:
        table.add_row(
            str(r.id),
            r.stage,
            r.started_at[:19].replace("T", " "),
            "-" if r.duration_s is None else f"{r.duration_s:.1f}s",
            ", ".join(r.inputs[:2]) + (f" (+{len(r.inputs) - 2})" if len(r.inputs) > 2 else ""),
            f"{r.rows_in:,}",
            f"{r.rows_out:,}",
            f"{r.quarantined:,}",
            r.status,
        )
    console.print(table)
