"""What the status page shows: the lake's tables, their files and rows, and the recent runs.

It reads the lake files and the state database directly (both safe while a batch run writes:
lake files appear atomically, the state database is in WAL mode), never the warehouse file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from learnlake.config import Settings
from learnlake.state import StateStore


@dataclass
class LakeTable:
    """One table folder of the lake."""

    name: str
    files: int
    bytes: int
    rows: int
    partitions: list[str]


def lake_tables(settings: Settings) -> list[LakeTable]:
    """Tables of a local lake with file, byte and row counts (row counts from Parquet footers)."""
    root = Path(settings.lake_root) / settings.lake.prefix
    if "://" in settings.lake_root or not root.is_dir():
        return []
    tables = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
        rows = 0
        for f in files:
            if f.suffix == ".parquet":
                try:
                    rows += pq.ParquetFile(f).metadata.num_rows
                except Exception:  # a file being replaced right now; counted next time
                    continue
        partitions = sorted({p.parent.relative_to(folder).parts[0] for p in files if p.parent != folder})
        tables.append(
            LakeTable(folder.name, len(files), sum(f.stat().st_size for f in files), rows, partitions[:20])
        )
    return tables


def status(settings: Settings) -> dict[str, Any]:
    """Everything the status page and /api/v1/status report."""
    runs: list[dict[str, Any]] = []
    if (settings.state_dir / "state.sqlite").exists():
        store = StateStore(settings.state_dir)
        try:
            runs = [asdict(r) for r in store.runs(limit=20)]
        finally:
            store.close()
    return {
        "site": {"lms_root_url": settings.site.lms_root_url, "lms_host": settings.site.host},
        "lake_root": settings.lake_root,
        "warehouse": settings.warehouse.engine,
        "tables": [asdict(t) for t in lake_tables(settings)],
        "runs": runs,
    }
