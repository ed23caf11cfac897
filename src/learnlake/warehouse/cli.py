"""`learnlake query "SQL"`: run SQL on the warehouse (read-only unless --write)."""

from __future__ import annotations

import sys
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import typer
from rich.table import Table

from learnlake.cli.common import Exit, console, fail, state_of


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value[:60].decode("utf-8", "replace")
    return str(value)


def _as_user(app_state: Any, name: str, sql: str, write: bool) -> pa.Table:
    """`--user`: the rules of /api/v1/sql (one SELECT, scoped to the user's role, read-only)."""
    from learnlake.serve.sql_access import SqlRejected, run_as_user

    if write:
        fail("--user and --write cannot be combined", Exit.USAGE)
    try:
        return run_as_user(app_state.settings(), name, sql)
    except SqlRejected as exc:
        fail(str(exc), Exit.USAGE)


def query_command(
    ctx: typer.Context,
    sql: str = typer.Argument(..., help="SQL to run (DuckDB dialect)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
    write: bool = typer.Option(
        False, "--write", help="Allow changes (run on a copy of the warehouse, swapped in atomically)."
    ),
    limit: int = typer.Option(1000, "--max-rows", help="Rows shown in table format (csv/json: all)."),
    user: str | None = typer.Option(
        None, "--user", help="Run as this dashboard user: one SELECT, limited to what their role may see."
    ),
) -> None:
    """Run SQL on the warehouse and print the result."""
    import duckdb

    from learnlake.warehouse import open_warehouse

    app_state = state_of(ctx)
    if fmt not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {fmt!r}", Exit.USAGE)
    if app_state.json:
        fmt = "json"
    warehouse = open_warehouse(app_state.settings())
    try:
        warehouse.refresh()  # tables that appeared in the lake since the last run become views
        if user is not None:
            result = _as_user(app_state, user, sql, write)
        elif write:
            with warehouse.writer() as con:
                rel = con.execute(sql)
                result = rel.to_arrow_table() if rel.description else pa.table({})
        else:
            result = warehouse.query(sql)
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        if not write and "read-only" in message.lower():
            message += " (the warehouse is read-only here; pass --write to change it)"
        fail(message, Exit.USAGE)
    if fmt == "csv":
        sink = pa.BufferOutputStream()
        pacsv.write_csv(result, sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode())
    elif fmt == "json":
        sys.stdout.write(
            orjson.dumps(result.to_pylist(), option=orjson.OPT_INDENT_2, default=str).decode() + "\n"
        )
    else:
        table = Table(*result.column_names, show_lines=False)
        for row in result.slice(0, limit).to_pylist():
            table.add_row(*(_cell(v) for v in row.values()))
        console.print(table)
        if result.num_rows > limit:
            console.print(f"({result.num_rows:,} rows, {limit:,} shown)")
