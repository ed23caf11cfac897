"""The batch pipeline: the ordered stages `learnlake run` executes.

Each stage is a plain function of the settings that reports its counters; later stages (extract,
models) register here as they are built, so `learnlake run` always runs everything available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from learnlake.config import Settings
from learnlake.state import RunCounters, StateStore, batch_lock


@dataclass(frozen=True)
class Stage:
    """One step of `learnlake run`."""

    name: str
    run: Callable[[Settings, RunCounters], None]
    enabled: Callable[[Settings], bool]
    inputs: Callable[[Settings], list[str]]


STAGES: list[Stage] = []

# In pipeline order: sources first, models last. The LMS tables and course structure come before the
# tracking logs so the xAPI transform finds the LMS's external ids and course names of this run (a
# learner the LMS already knows never gets a learnlake-assigned id first).
BUILTIN_STAGE_MODULES = (
    "learnlake.extract.stage",
    "learnlake.coursestructure.stage",
    "learnlake.ingest.stage",
    "learnlake.models.stage",
    "learnlake.catalog.stage",
)


def register(stage: Stage) -> None:
    """Add a stage at the end of the pipeline (idempotent by name)."""
    if all(s.name != stage.name for s in STAGES):
        STAGES.append(stage)


@dataclass
class StageResult:
    """What one stage did in a run."""

    stage: str
    status: str
    rows_in: int
    rows_out: int
    quarantined: int
    message: str | None


def run_pipeline(settings: Settings, only: list[str] | None = None, wait_s: float = 0.0) -> list[StageResult]:
    """Run every enabled stage in order under the batch lock, recording each in the run history."""
    _load_builtin_stages()
    results: list[StageResult] = []
    with batch_lock(settings.state_dir, "learnlake run", wait_s=wait_s):
        store = StateStore(settings.state_dir)
        try:
            store.mark_interrupted()
            for stage in STAGES:
                if (only and stage.name not in only) or not stage.enabled(settings):
                    continue
                with store.run(stage.name, stage.inputs(settings)) as counters:
                    stage.run(settings, counters)
                status = "quarantined" if counters.quarantined else "ok"
                results.append(
                    StageResult(
                        stage.name,
                        status,
                        counters.rows_in,
                        counters.rows_out,
                        counters.quarantined,
                        counters.message,
                    )
                )
        finally:
            store.close()
        if results:
            from learnlake.warehouse import open_warehouse

            open_warehouse(settings).refresh()  # new extracted tables and models become views
    return results


def _load_builtin_stages() -> None:
    """Import the modules that register stages (each registers itself on import)."""
    import importlib

    for module in BUILTIN_STAGE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise
