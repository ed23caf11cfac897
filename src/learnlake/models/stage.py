"""Registers the model build as the `models` stage of `learnlake run` (after ingest and extract).

Incremental: only partitions from the earliest changed upstream day are recomputed, table models are
rebuilt only when something they read changed. A failing model is counted and named in the run's
message; the other models still build.
"""

from __future__ import annotations

from learnlake.config import Settings
from learnlake.pipeline import Stage, register
from learnlake.state import RunCounters


def run_stage(settings: Settings, counters: RunCounters) -> None:
    """Build every model; failures are reported in the run record, not raised."""
    from learnlake.models.build import build_models

    report = build_models(settings)
    counters.rows_in += len(report.results)
    counters.rows_out += sum(r.rows or 0 for r in report.results if r.status == "built")
    problems = [f"{r.name}: {r.status}: {r.message}" for r in report.failed] + [str(e) for e in report.errors]
    notes = problems + [f"{len(report.waiting)} models wait for tables not in the lake yet"] * bool(
        report.waiting
    )
    if problems:
        counters.quarantined += len(problems)
    if notes:
        counters.message = "; ".join(notes)[:2000]


def lake_has_tables(settings: Settings) -> bool:
    """Models run once the lake holds anything (an empty site has nothing to model)."""
    from learnlake.lake.storage import LakeStorage

    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    return bool(storage.list_dirs(settings.lake.prefix.strip("/")))


register(
    Stage(
        name="models",
        run=run_stage,
        enabled=lake_has_tables,
        inputs=lambda s: [str(s.models.user_dir)] if s.models.user_dir else [],
    )
)
