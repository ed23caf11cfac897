"""`learnlake lake …` commands (mounted by the main CLI as the `lake` group)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from learnlake.cli.common import emit_summary, state_of

app = typer.Typer(help="Maintain the open data lake.", no_args_is_help=True)


@app.command("compact")
def compact_command(
    ctx: typer.Context,
    min_files: int = typer.Option(
        8, "--min-files", help="Compact partitions holding at least this many files."
    ),
    table: list[str] = typer.Option(None, "--table", help="Only these tables (repeatable)."),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another batch run to finish."),
) -> None:
    """Merge small files so every partition keeps a bounded file count (atomic per partition)."""
    from learnlake.lake.compact import compact
    from learnlake.lake.storage import LakeStorage
    from learnlake.state import StateStore, batch_lock

    app_state = state_of(ctx)
    settings = app_state.settings()
    with batch_lock(settings.state_dir, "learnlake lake compact", wait_s=wait):
        store = StateStore(settings.state_dir)
        try:
            with store.run("lake-compact") as counters:
                storage = LakeStorage(settings.lake_root, settings.lake.s3)
                result = compact(storage, settings.lake.prefix, min_files, table or None)
                counters.rows_in, counters.rows_out = result.files_before, result.files_after
        finally:
            store.close()
    emit_summary(
        app_state,
        asdict(result),
        f"{result.partitions} partitions compacted: {result.files_before} files -> {result.files_after}",
    )
