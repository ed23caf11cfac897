"""The warehouse: where models and dashboards query the lake tables.

One interface, several engines; DuckDB (embedded, default) is in `learnlake.warehouse.duckdb`.
Readers never take locks that block writers, and writers never block readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import pyarrow as pa

from learnlake.config import Settings


class Warehouse(Protocol):
    """What the rest of learnlake needs from a warehouse engine."""

    engine: str

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run one read-only query; rows as an Arrow table."""

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run one read-only query; rows as dicts."""

    def connect(self) -> AbstractContextManager[Any]:
        """A short-lived read-only connection (DB-API-like, engine specific)."""

    def writer(self) -> AbstractContextManager[Any]:
        """A read-write connection whose changes appear atomically when the block exits."""

    def refresh(self) -> bool:
        """Make the lake tables queryable (after new tables appeared); True if anything changed."""

    def counts(self) -> dict[str, int]:
        """Rows per lake table."""


def open_warehouse(settings: Settings) -> Warehouse:
    """The configured warehouse engine."""
    if settings.warehouse.engine != "duckdb":
        raise NotImplementedError(f"warehouse engine {settings.warehouse.engine!r} is not available yet")
    from learnlake.warehouse.duckdb import DuckDBWarehouse

    return DuckDBWarehouse(settings)


__all__ = ["Warehouse", "open_warehouse"]
