"""The open data lake: Hive-partitioned Parquet on a local folder or S3, written atomically.

Imports are lazy, so a process that only needs the table layouts does not load fsspec or s3fs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from learnlake.lake.layout import QUARANTINE, TABLES, TRACKING_EVENTS, XAPI_EVENTS_ALL, TableSpec

if TYPE_CHECKING:
    from learnlake.lake.storage import LakeStorage
    from learnlake.lake.writer import CommitResult, LakeWriter

__all__ = [
    "QUARANTINE",
    "TABLES",
    "TRACKING_EVENTS",
    "XAPI_EVENTS_ALL",
    "CommitResult",
    "LakeStorage",
    "LakeWriter",
    "TableSpec",
]


def __getattr__(name: str) -> Any:
    if name == "LakeStorage":
        from learnlake.lake.storage import LakeStorage

        return LakeStorage
    if name in ("CommitResult", "LakeWriter"):
        from learnlake.lake import writer

        return getattr(writer, name)
    raise AttributeError(name)
