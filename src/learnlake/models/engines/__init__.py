"""SQL engines a model can run on: DuckDB (embedded, default) and ClickHouse (server, or chDB in-process).

An engine loads tables, defines each model as a view or table over them, and returns rows as Arrow.
Models are written once in DuckDB SQL; the ClickHouse engine transpiles them with sqlglot.
"""

from __future__ import annotations

from typing import Protocol

import pyarrow as pa

from learnlake.models.spec import Model


class Engine(Protocol):
    """What the isolated runner and the parity tests need from an engine."""

    name: str

    def load(self, table: str, data: pa.Table) -> None:
        """Make an Arrow table queryable under a name."""

    def define(self, model: Model, materialize: bool) -> None:
        """Create the model as a view (or a table when materialize) over what is loaded."""

    def fetch(self, table: str) -> pa.Table:
        """Every row of a table or model."""

    def close(self) -> None:
        """Release the engine."""


def settings_table(
    at_risk_days: int, active_days: int, as_of: object, interval: tuple[object, object] | None = None
) -> pa.Table:
    """The one-row `model_settings` table every engine is given (interval: Insights' [start, end) dates)."""
    start, end = interval or (None, None)
    return pa.table(
        {
            "at_risk_days": pa.array([at_risk_days], pa.int64()),
            "active_days": pa.array([active_days], pa.int64()),
            "as_of": pa.array([as_of], pa.timestamp("us")),
            "interval_start": pa.array([start], pa.date32()),
            "interval_end": pa.array([end], pa.date32()),
        }
    )


def open_engine(name: str) -> Engine:
    """An in-process engine: duckdb or chdb."""
    if name == "duckdb":
        from learnlake.models.engines.duckdb import DuckDBEngine

        return DuckDBEngine()
    if name in ("chdb", "clickhouse"):
        from learnlake.models.engines.clickhouse import ChdbEngine

        return ChdbEngine()
    raise ValueError(f"unknown engine {name!r} (duckdb or chdb)")
