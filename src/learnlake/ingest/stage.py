"""Registers tracking-log ingest as a `learnlake run` stage."""

from __future__ import annotations

from learnlake.config import Settings
from learnlake.pipeline import Stage, register
from learnlake.state import RunCounters, StateStore


def run_stage(settings: Settings, counters: RunCounters) -> None:
    """Ingest the configured tracking-log paths, then make the new tables queryable."""
    from learnlake.ingest.run import ingest_tracking_logs
    from learnlake.warehouse import open_warehouse

    store = StateStore(settings.state_dir)
    try:
        ingest_tracking_logs(settings, store, counters=counters)
    finally:
        store.close()
    open_warehouse(settings).refresh()


register(
    Stage(
        name="ingest-tracking-logs",
        run=run_stage,
        enabled=lambda s: bool(s.tracking_logs.paths),
        inputs=lambda s: list(s.tracking_logs.paths),
    )
)
