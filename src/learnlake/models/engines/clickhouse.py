"""Models on ClickHouse: transpiled from DuckDB SQL with sqlglot, run in-process (chDB) or on a server.

A model with a `<name>.clickhouse.sql` override uses that file instead of the transpiled SQL. The
session runs with `join_use_nulls = 1` so outer joins give NULL, as DuckDB (and SQL) do, instead of
ClickHouse's '' / 0 defaults, and in UTC.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from learnlake.models.spec import Model, ModelError

SESSION_SETTINGS = {
    "join_use_nulls": 1,
    "session_timezone": "'UTC'",
    "output_format_arrow_string_as_string": 1,
    "allow_experimental_analyzer": 1,
    "cast_keep_nullable": 1,
    "prefer_column_name_to_alias": 1,  # DuckDB semantics: a column name means the column, not an alias
}


def _json_args(node: exp.Expression) -> list[exp.Expression]:
    """Key/index arguments of ClickHouse JSONExtract* for a JSON path (indexes are 1-based there)."""
    path = node.expression
    if not isinstance(path, exp.JSONPath):
        raise sqlglot.errors.UnsupportedError(f"JSON path must be a literal: {path.sql('duckdb')}")
    args: list[exp.Expression] = [node.this]
    for part in path.expressions:
        if isinstance(part, exp.JSONPathKey):
            args.append(exp.Literal.string(str(part.this)))
        elif isinstance(part, exp.JSONPathSubscript):
            args.append(exp.Literal.number(int(part.this) + 1))
        elif not isinstance(part, exp.JSONPathRoot):
            raise sqlglot.errors.UnsupportedError(f"unsupported JSON path part: {part}")
    return args


def _not_null(node: exp.Expression) -> exp.Expression:
    """ClickHouse arrays cannot be Nullable: split '' where DuckDB would split NULL."""
    return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.string("")])


def _fix(node: exp.Expression) -> exp.Expression:
    """Rewrite DuckDB constructs whose ClickHouse translation by sqlglot differs in meaning.

    - `x ->> '$.p'` (text value): JSONExtractString, NULL when missing (as DuckDB).
    - `json_extract(x, '$.p')` (number/boolean/JSON value): JSONExtractRaw, NULL when missing, so a
      CAST to a number or boolean reads the value itself (JSONExtractString gives '' for non-strings).
    - `string_split(s, sep)` -> splitByString(sep, s); `split_part(s, sep, n)` -> splitByString(sep, s)[n].
    - `list_element(arr, i)` -> arr[i]; `generate_series(a, b)` (as an array) -> range(a, b + 1).
    - TIMESTAMP -> DateTime64(6) (sqlglot's DateTime would drop the microseconds).
    """
    if isinstance(node, exp.JSONExtractScalar):
        call = exp.Anonymous(this="JSONExtractString", expressions=_json_args(node))
        return exp.Nullif(this=call, expression=exp.Literal.string(""))
    if isinstance(node, exp.JSONExtract):
        call = exp.Anonymous(this="JSONExtractRaw", expressions=_json_args(node))
        return exp.Nullif(this=call, expression=exp.Literal.string(""))
    if isinstance(node, exp.Split):
        return exp.Anonymous(this="splitByString", expressions=[node.expression, _not_null(node.this)])
    if isinstance(node, exp.SplitPart):
        arr = exp.Anonymous(this="splitByString", expressions=[node.args["delimiter"], _not_null(node.this)])
        return exp.Bracket(this=arr, expressions=[node.args["part_index"]], offset=1)
    if isinstance(node, exp.RegexpReplace):  # DuckDB's 'g' flag = ClickHouse's replaceRegexpAll
        args = [node.this, node.expression, node.args.get("replacement") or exp.Literal.string("")]
        name = (
            "replaceRegexpAll"
            if "g" in (node.args.get("modifiers") or exp.Literal.string("")).name
            else "replaceRegexpOne"
        )
        return exp.Anonymous(this=name, expressions=args)
    if isinstance(node, exp.GenerateSeries):  # the array form: range(start, end + 1)
        start = exp.Anonymous(this="assumeNotNull", expressions=[node.args["start"]])
        end = exp.Anonymous(this="assumeNotNull", expressions=[node.args["end"]])
        return exp.Anonymous(
            this="range", expressions=[start, exp.Add(this=end, expression=exp.Literal.number(1))]
        )
    if isinstance(node, exp.DataType) and node.this in (
        exp.DataType.Type.TIMESTAMP,
        exp.DataType.Type.TIMESTAMPNTZ,
    ):
        return exp.DataType.build("Nullable(DateTime64(6))", dialect="clickhouse")
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_element":
        arr, idx = node.expressions
        return exp.Bracket(this=arr, expressions=[idx], offset=1)
    return node


def transpile(sql: str) -> str:
    """DuckDB SQL to ClickHouse SQL."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    text = ""
    for _ in range(8):  # a rewrite can expose nested rewritable nodes: repeat until nothing changes
        tree = tree.transform(_fix)
        new = tree.sql(dialect="clickhouse")
        if new == text:
            break
        text = new
    return text


def declared_select_ch(model: Model) -> str:
    """The model's SELECT in ClickHouse SQL, cast to the declared column types."""
    from learnlake.models.engines.duckdb import declared_select

    if model.clickhouse_sql is None:
        return transpile(declared_select(model))
    casts = transpile(declared_select(Model(**{**model.__dict__, "sql": "SELECT 1"})))
    head = casts[: casts.rindex("FROM (")]
    return f"{head}FROM (\n{model.clickhouse_sql}\n) AS _model"


class ChdbEngine:
    """ClickHouse in-process (chDB): the engine the parity tests compare with DuckDB."""

    name = "chdb"

    def __init__(self) -> None:
        from chdb import session

        self._dir = tempfile.mkdtemp(prefix="learnlake-chdb-")
        self.session = session.Session(os.path.join(self._dir, "db"))
        self.db = f"m_{uuid.uuid4().hex[:8]}"
        self.session.query(f"CREATE DATABASE {self.db}")

    def _settings(self) -> str:
        return " SETTINGS " + ", ".join(f"{k} = {v}" for k, v in SESSION_SETTINGS.items())

    def load(self, table: str, data: pa.Table) -> None:
        """Load an Arrow table (through a Parquet file) as a Memory table."""
        path = os.path.join(self._dir, f"{table}.parquet")
        if any(pa.types.is_null(f.type) for f in data.schema):  # ClickHouse has no all-NULL column type
            data = data.cast(
                pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in data.schema])
            )
        pq.write_table(data, path)
        self.session.query(
            f"CREATE TABLE {self.db}.`{table}` ENGINE = Memory AS SELECT * FROM file('{path}', Parquet)"
        )

    def define(self, model: Model, materialize: bool) -> None:
        """Create the model as a view or a Memory table in the engine's database."""
        try:
            body = declared_select_ch(model)
        except sqlglot.errors.SqlglotError as exc:
            raise ModelError(model.path, f"cannot transpile to ClickHouse: {exc}") from exc
        body = _qualify(body, self.db)
        what = "TABLE" if materialize else "VIEW"
        engine = " ENGINE = Memory" if materialize else ""
        try:
            self.session.query(f"CREATE {what} {self.db}.`{model.name}`{engine} AS {body}{self._settings()}")
        except Exception as exc:
            raise ModelError(model.path, f"ClickHouse: {str(exc).splitlines()[0][:600]}") from exc

    def fetch(self, table: str) -> pa.Table:
        """Every row of a table or model as Arrow."""
        res = self.session.query(f"SELECT * FROM {self.db}.`{table}`{self._settings()}", "Arrow")
        return _arrow(res)

    def close(self) -> None:
        """Drop the session and its folder."""
        self.session.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def _arrow(res: Any) -> pa.Table:
    import pyarrow.ipc as ipc

    data = res.bytes() if hasattr(res, "bytes") else bytes(res)
    return (
        ipc.open_file(pa.BufferReader(data)).read_all()
        if data[:6] == b"ARROW1"
        else ipc.open_stream(pa.BufferReader(data)).read_all()
    )


def _qualify(sql: str, db: str) -> str:
    """Prefix unqualified table names with the engine's database."""
    tree = sqlglot.parse_one(sql, read="clickhouse")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name and not table.db and table.name not in ctes and not isinstance(table.this, exp.Func):
            table.set("db", exp.to_identifier(db))
    return tree.sql(dialect="clickhouse")


class ClickHouseServerEngine:
    """A ClickHouse server through clickhouse-connect (the scale-out warehouse)."""

    name = "clickhouse"

    def __init__(
        self, url: str, database: str, username: str = "default", password: str | None = None
    ) -> None:
        import clickhouse_connect

        self.client = clickhouse_connect.get_client(dsn=url, username=username, password=password or "")
        self.db = database
        self.client.command(f"CREATE DATABASE IF NOT EXISTS {database}")

    def load(self, table: str, data: pa.Table) -> None:
        """Replace a table with the rows of an Arrow table."""
        self.client.command(f"DROP TABLE IF EXISTS {self.db}.`{table}`")
        self.client.insert_arrow(f"{self.db}.{table}", data)

    def define(self, model: Model, materialize: bool) -> None:
        """Create or replace the model as a view or a MergeTree table."""
        body = _qualify(declared_select_ch(model), self.db)
        settings = {
            k: str(v).strip("'") for k, v in SESSION_SETTINGS.items() if k != "allow_experimental_analyzer"
        }
        if materialize:
            self.client.command(f"DROP TABLE IF EXISTS {self.db}.`{model.name}`")
            self.client.command(
                f"CREATE TABLE {self.db}.`{model.name}` ENGINE = MergeTree ORDER BY tuple() AS {body}",
                settings=settings,
            )
        else:
            self.client.command(
                f"CREATE OR REPLACE VIEW {self.db}.`{model.name}` AS {body}", settings=settings
            )

    def fetch(self, table: str) -> pa.Table:
        """Every row of a table or model."""
        result: pa.Table = self.client.query_arrow(f"SELECT * FROM {self.db}.`{table}`")
        return result

    def close(self) -> None:
        """Close the client."""
        self.client.close()
