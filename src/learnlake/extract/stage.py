"""Registers SQL table extraction (LMS MySQL, or any SQL database) as the `extract` stage of `learnlake run`.

A table that fails does not stop the others nor the later stages: it is counted as quarantined (so the
run's status and `learnlake run`'s exit code 3 show it) and named in the run's message.
"""

from __future__ import annotations

from learnlake.config import Settings
from learnlake.pipeline import Stage, register
from learnlake.state import RunCounters, StateStore

SQL_TYPES = ("mysql", "postgresql", "sqlite")


def run_stage(settings: Settings, counters: RunCounters) -> None:
    """Extract every SQL datasource incrementally, then expose new tables to the later stages (models)."""
    from learnlake.extract.run import extract
    from learnlake.warehouse import open_warehouse

    store = StateStore(settings.state_dir)
    try:
        report = extract(settings, store, counters=counters)
    finally:
        store.close()
    counters.quarantined += len(report.failed)
    open_warehouse(settings).refresh()


register(
    Stage(
        name="extract",
        run=run_stage,
        enabled=lambda s: any(d.type in SQL_TYPES and d.url for d in s.extract.datasources),
        inputs=lambda s: [d.name for d in s.extract.datasources if d.type in SQL_TYPES],
    )
)
