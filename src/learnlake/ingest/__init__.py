"""Tracking-log ingest: files (local, S3; plain, gz, bz2, zst) → lake tables, exactly once.

The package itself imports nothing heavy, so parser worker processes load only what they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from learnlake.ingest.run import IngestSummary, TrackingLogIngest, human_summary, ingest_tracking_logs

__all__ = ["IngestSummary", "TrackingLogIngest", "human_summary", "ingest_tracking_logs"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from learnlake.ingest import run

        return getattr(run, name)
    raise AttributeError(name)
