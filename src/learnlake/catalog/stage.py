"""Registers the catalog as the last `learnlake run` stage when the lake is on S3 with an Athena database.

New partitions (a new course of a field-partitioned table, a new site) and new columns reach Athena
after every run, as Panorama's per-upload partition DDL intended. Objects identical to what was last
applied are skipped (digests kept as checkpoints), so a run with no change sends no DDL. A failed
Glue call or Athena query fails the stage with the reasons.
"""

from __future__ import annotations

from typing import Any

from learnlake.config import Settings
from learnlake.pipeline import Stage, register
from learnlake.state import RunCounters, StateStore

SCOPE = "catalog"


class _CheckpointMemo:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    def get(self, key: str) -> Any:
        return self.store.get_checkpoint(SCOPE, key)

    def set(self, key: str, value: Any) -> None:
        self.store.set_checkpoint(SCOPE, key, value)


def run_stage(settings: Settings, counters: RunCounters) -> None:
    """Bring the Glue/Athena catalog in line with the lake."""
    from learnlake.catalog.sync import sync

    store = StateStore(settings.state_dir)
    try:
        report = sync(settings, memo=_CheckpointMemo(store))
    finally:
        store.close()
    counters.rows_in = len(report.lines)
    counters.rows_out = sum(  # objects really sent to Glue/Athena
        1 for _, status, detail in report.lines if status == "ok" and not detail.startswith("unchanged")
    )
    failures = [f"{what}: {detail}" for what, status, detail in report.lines if status == "FAIL"]
    if failures:
        raise RuntimeError("catalog: " + "; ".join(failures)[:2000])


def _enabled(settings: Settings) -> bool:
    return bool(settings.lake.athena.database) and settings.lake_root.startswith("s3://")


register(
    Stage(
        name="catalog",
        run=run_stage,
        enabled=_enabled,
        inputs=lambda s: [f"{s.lake_root} -> {s.lake.athena.database}"],
    )
)
