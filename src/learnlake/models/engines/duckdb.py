"""Models on DuckDB: the SQL runs as written, wrapped in casts to the declared column types."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from learnlake.models.spec import Model, ModelError


def quote(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def declared_select(model: Model) -> str:
    """The model's SELECT with every output column cast to its declared type, in declared order.

    The model SQL starts on the second line, so an engine error's line maps back to the file.
    """
    casts = ", ".join(f"CAST({quote(c.name)} AS {c.type}) AS {quote(c.name)}" for c in model.columns)
    return f"SELECT {casts} FROM (\n{model.sql}\n) AS _model"


def model_error(model: Model, exc: Exception) -> ModelError:
    """A DuckDB error about a model, with the file line when DuckDB names one."""
    import re

    text = str(exc)
    match = re.search(r"LINE (\d+):", text)
    line = model.file_line(int(match.group(1)) - 1) if match else None
    first = text.split("\n")[0]
    return ModelError(model.path, first, line)


class DuckDBEngine:
    """An in-memory DuckDB database (isolated runs and tests)."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self.con = con or duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")

    def load(self, table: str, data: pa.Table) -> None:
        """Register an Arrow table as a temp table."""
        self.con.register("_learnlake_load", data)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS SELECT * FROM _learnlake_load")
        finally:
            self.con.unregister("_learnlake_load")

    def execute(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run a statement."""
        return self.con.execute(sql, params)

    def define(self, model: Model, materialize: bool) -> None:
        """Create the model as a temp view or temp table."""
        kind = "TABLE" if materialize else "VIEW"
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP {kind} {quote(model.name)} AS {declared_select(model)}")
        except duckdb.Error as exc:
            raise model_error(model, exc) from exc

    def fetch(self, table: str) -> pa.Table:
        """Every row of a table or model."""
        return self.con.execute(f"SELECT * FROM {quote(table)}").to_arrow_table()

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
