"""Registers course structure from OLX exports as a `learnlake run` stage.

Every `olx` datasource names a tarball or a folder of them (`*.tar.gz`, `*.tgz`). A tarball whose size
and modification time are unchanged since its last load is skipped; one that cannot be read is counted
as quarantined with its reason, and the other courses still load.
"""

from __future__ import annotations

import logging
from pathlib import Path

from learnlake.config import Settings
from learnlake.pipeline import Stage, register
from learnlake.state import RunCounters, StateStore

log = logging.getLogger(__name__)
CHECKPOINT_SCOPE = "course-structure-olx"


def olx_tarballs(settings: Settings) -> list[Path]:
    """Every OLX tarball named by the configured `olx` datasources, in a stable order."""
    found: list[Path] = []
    for source in settings.extract.datasources:
        if source.type != "olx" or not source.location:
            continue
        location = Path(source.location)
        if location.is_dir():
            found.extend(sorted([*location.rglob("*.tar.gz"), *location.rglob("*.tgz")]))
        else:
            found.append(location)
    return found


def run_stage(settings: Settings, counters: RunCounters) -> None:
    """Load the structure of every new or changed OLX tarball into course_blocks/course_overviews."""
    from learnlake.coursestructure.olx import read_olx_course, write_course_structure
    from learnlake.warehouse import open_warehouse

    store = StateStore(settings.state_dir)
    failures: list[str] = []
    try:
        for tarball in olx_tarballs(settings):
            counters.rows_in += 1
            try:
                stat = tarball.stat()
                seen = [stat.st_size, stat.st_mtime_ns]
                if store.get_checkpoint(CHECKPOINT_SCOPE, str(tarball)) == seen:
                    continue
                structure = read_olx_course(tarball)
                write_course_structure(settings, structure)
            except Exception as exc:  # one bad export must not stop the others
                log.warning("course structure: %s: %s", tarball, exc)
                failures.append(f"{tarball.name}: {type(exc).__name__}: {exc}")
                counters.quarantined += 1
                continue
            store.set_checkpoint(CHECKPOINT_SCOPE, str(tarball), seen)
            counters.rows_out += structure.course_blocks.num_rows
    finally:
        store.close()
    if failures:
        counters.message = "; ".join(failures)[:2000]
    open_warehouse(settings).refresh()


register(
    Stage(
        name="course-structure",
        run=run_stage,
        enabled=lambda s: any(d.type == "olx" for d in s.extract.datasources),
        inputs=lambda s: [d.location or "" for d in s.extract.datasources if d.type == "olx"],
    )
)
