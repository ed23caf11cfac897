"""SQL sources by URL: MySQL/MariaDB, PostgreSQL and SQLite, read as a stream of Arrow batches.

Two readers exist. connectorx (Rust) streams Arrow record batches straight from the wire and is the
default for MySQL and PostgreSQL; the DB-API reader uses a server-side cursor (PyMySQL `SSCursor`,
a psycopg named cursor, sqlite3) and builds Arrow arrays per `fetchmany` batch. Either way at most
one batch of rows is in memory. Metadata (tables, columns, keys, checksums) always goes through
DB-API, in one query per kind for the whole database.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pyarrow as pa
from sqlalchemy.engine import URL, make_url

from learnlake.config.settings import DatasourceSettings


class SourceError(Exception):
    """A source cannot be used as configured (bad URL, unknown type)."""


@dataclass(frozen=True)
class SourceColumn:
    """A column as the database declares it."""

    name: str
    sql_type: str


def dialect_of(url: str) -> str:
    """mysql, postgresql or sqlite from a URL scheme."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme in ("mysql", "mariadb"):
        return "mysql"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    raise SourceError(f"unsupported database URL scheme {scheme!r} (mysql://, postgresql://, sqlite:///)")


class Source:
    """One open database connection with the few operations extraction needs."""

    dialect = ""
    primary_key_sql = ""  # (table, column) rows of every primary key, in key order

    def __init__(self, ds: DatasourceSettings, url: URL) -> None:
        self.ds = ds
        self.url = url
        self._columns: dict[str, list[SourceColumn]] | None = None
        self._keys: dict[str, list[str]] | None = None

    # -- SQL text ------------------------------------------------------------------------------
    def quote(self, name: str) -> str:
        """A quoted identifier."""
        return '"' + name.replace('"', '""') + '"'

    def literal(self, value: Any) -> str:
        """A SQL literal (for connectorx, which takes no parameters)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int | float):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    def text_expr(self, column: str) -> str:
        """The column's value as the database's own text."""
        return self.cast_text(self.quote(column))

    def cast_text(self, expr: str) -> str:
        """An expression's value as text."""
        return f"CAST({expr} AS TEXT)"

    # -- metadata ------------------------------------------------------------------------------
    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a small query and return all its rows."""
        raise NotImplementedError

    def tables(self) -> list[str]:
        """Base tables of the database, sorted."""
        return sorted(self.all_columns())

    def all_columns(self) -> dict[str, list[SourceColumn]]:
        """Columns of every table, in table order (cached for the connection's life)."""
        raise NotImplementedError

    def primary_keys(self) -> dict[str, list[str]]:
        """Primary-key columns of every table that has one (cached for the connection's life)."""
        if self._keys is None:
            keys: dict[str, list[str]] = {}
            for table, name in self.query(self.primary_key_sql):
                keys.setdefault(table, []).append(name)
            self._keys = keys
        return self._keys

    def checksum(self, table: str) -> str:
        """A value that changes whenever the table's content changes."""
        raise NotImplementedError

    # -- rows ----------------------------------------------------------------------------------
    def stream(self, sql: str, wire: list[pa.Field], batch_rows: int) -> Iterator[pa.RecordBatch]:
        """Rows of a query as record batches whose columns follow `wire` (names and read types)."""
        yield from self._dbapi_stream(sql, wire, batch_rows)

    def _cursor(self) -> Any:
        raise NotImplementedError

    def _dbapi_stream(self, sql: str, wire: list[pa.Field], batch_rows: int) -> Iterator[pa.RecordBatch]:
        schema = pa.schema(wire)
        cursor = self._cursor()
        try:
            cursor.execute(sql)
            while True:
                rows = cursor.fetchmany(batch_rows)
                if not rows:
                    break
                columns: list[Any] = list(zip(*rows, strict=True))
                arrays = [pa.array(col, type=f.type) for col, f in zip(columns, wire, strict=True)]
                yield pa.RecordBatch.from_arrays(arrays, schema=schema)
        finally:
            cursor.close()

    def close(self) -> None:
        """Disconnect."""

    def ping(self) -> None:
        """Reconnect if the connection was lost (before retrying after a transient error)."""


class MySQLSource(Source):
    """MySQL or MariaDB over PyMySQL (metadata, DB-API reads) and connectorx (Arrow reads)."""

    dialect = "mysql"
    primary_key_sql = (
        "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
        " WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY'"
        " ORDER BY TABLE_NAME, ORDINAL_POSITION"
    )

    def __init__(self, ds: DatasourceSettings, url: URL) -> None:
        import pymysql

        super().__init__(ds, url)
        if not url.database:
            raise SourceError(f"{ds.name}: the URL names no database")
        self.password = ds.password.get_secret_value() if ds.password else (url.password or "")
        self._connect_args: dict[str, Any] = {
            "host": url.host or "127.0.0.1",
            "port": url.port or 3306,
            "user": url.username or "root",
            "password": str(self.password),
            "database": url.database,
            "charset": "utf8mb4",
            "autocommit": True,
            "connect_timeout": 10,
            "init_command": "SET time_zone = '+00:00'",
        }
        self.conn = pymysql.connect(**self._connect_args)

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def literal(self, value: Any) -> str:
        if isinstance(value, str):
            return str(self.conn.escape(value))
        return super().literal(value)

    def cast_text(self, expr: str) -> str:
        return f"CAST({expr} AS CHAR)"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def all_columns(self) -> dict[str, list[SourceColumn]]:
        if self._columns is None:
            rows = self.query(
                "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE FROM information_schema.COLUMNS c"
                " JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA"
                " AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'"
                " WHERE c.TABLE_SCHEMA = DATABASE() ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION"
            )
            out: dict[str, list[SourceColumn]] = {}
            for table, name, sql_type in rows:
                out.setdefault(table, []).append(SourceColumn(name, _text(sql_type)))
            self._columns = out
        return self._columns

    def checksum(self, table: str) -> str:
        rows = self.query(f"CHECKSUM TABLE {self.quote(table)}")
        return str(rows[0][1])

    def _cursor(self) -> Any:
        import pymysql.cursors

        return self.conn.cursor(pymysql.cursors.SSCursor)

    def stream(self, sql: str, wire: list[pa.Field], batch_rows: int) -> Iterator[pa.RecordBatch]:
        if use_connectorx(self.ds):
            yield from _connectorx_stream(self.cx_url(), sql, wire, batch_rows, "SET time_zone = '+00:00'")
        else:
            yield from self._dbapi_stream(sql, wire, batch_rows)

    def ping(self) -> None:
        import pymysql

        try:
            self.conn.ping(reconnect=False)
        except pymysql.err.Error:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = pymysql.connect(**self._connect_args)

    def cx_url(self) -> str:
        """The connection URL connectorx takes (password included, never logged)."""
        user = quote(self.url.username or "root", safe="")
        auth = f"{user}:{quote(str(self.password), safe='')}" if self.password else user
        return f"mysql://{auth}@{self.url.host or '127.0.0.1'}:{self.url.port or 3306}/{self.url.database}"

    def close(self) -> None:
        self.conn.close()


class PostgresSource(Source):
    """PostgreSQL over psycopg (named cursors) and connectorx."""

    dialect = "postgresql"
    primary_key_sql = (
        "SELECT k.table_name, k.column_name FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name"
        " AND k.table_schema = c.table_schema WHERE c.constraint_type = 'PRIMARY KEY'"
        " AND c.table_schema = current_schema() ORDER BY k.table_name, k.ordinal_position"
    )

    def __init__(self, ds: DatasourceSettings, url: URL) -> None:
        import psycopg

        super().__init__(ds, url)
        self.password = ds.password.get_secret_value() if ds.password else (url.password or "")
        self.conn = psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=str(self.password) or None,
            dbname=url.database,
            autocommit=True,
            connect_timeout=10,
            options="-c timezone=UTC",
        )

    def cast_text(self, expr: str) -> str:
        return f"({expr})::text"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql.encode())
            return list(cur.fetchall())

    def all_columns(self) -> dict[str, list[SourceColumn]]:
        if self._columns is None:
            rows = self.query(
                "SELECT c.table_name, c.column_name, c.data_type, c.numeric_precision, c.numeric_scale"
                " FROM information_schema.columns c JOIN information_schema.tables t"
                " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
                " AND t.table_type = 'BASE TABLE' WHERE c.table_schema = current_schema()"
                " ORDER BY c.table_name, c.ordinal_position"
            )
            out: dict[str, list[SourceColumn]] = {}
            for table, name, data_type, precision, scale in rows:
                sql_type = str(data_type)
                if sql_type == "numeric" and precision is not None:
                    sql_type = f"numeric({precision},{scale or 0})"
                out.setdefault(table, []).append(SourceColumn(name, sql_type))
            self._columns = out
        return self._columns

    def checksum(self, table: str) -> str:
        q = self.quote(table)
        rows = self.query(f"SELECT count(*), coalesce(sum(hashtext(x::text)::bigint), 0) FROM {q} x")
        return f"{rows[0][0]}:{rows[0][1]}"

    def _cursor(self) -> Any:
        return _PgCursor(self.conn)

    def stream(self, sql: str, wire: list[pa.Field], batch_rows: int) -> Iterator[pa.RecordBatch]:
        if use_connectorx(self.ds):
            user = quote(self.url.username or "postgres", safe="")
            auth = f"{user}:{quote(str(self.password), safe='')}" if self.password else user
            host = f"{self.url.host or '127.0.0.1'}:{self.url.port or 5432}"
            yield from _connectorx_stream(
                f"postgresql://{auth}@{host}/{self.url.database}", sql, wire, batch_rows
            )
        else:
            yield from self._dbapi_stream(sql, wire, batch_rows)

    def close(self) -> None:
        self.conn.close()


class _PgCursor:
    """A psycopg named (server-side) cursor inside its own transaction."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.tx = conn.transaction()
        self.tx.__enter__()
        self.cur = conn.cursor(name="learnlake_extract")

    def execute(self, sql: str) -> None:
        self.cur.execute(sql.encode())

    def fetchmany(self, n: int) -> list[tuple[Any, ...]]:
        return list(self.cur.fetchmany(n))

    def close(self) -> None:
        try:
            self.cur.close()
        finally:
            self.tx.__exit__(None, None, None)


class SQLiteSource(Source):
    """An SQLite file, opened read-only."""

    dialect = "sqlite"

    def __init__(self, ds: DatasourceSettings, url: URL) -> None:
        super().__init__(ds, url)
        if not url.database:
            raise SourceError(f"{ds.name}: the sqlite URL names no file")
        path = url.database
        import os

        if not os.path.exists(path):
            raise SourceError(f"{ds.name}: SQLite file not found: {path}")
        self.conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, check_same_thread=False)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql).fetchall())

    def all_columns(self) -> dict[str, list[SourceColumn]]:
        if self._columns is None:
            names = [
                r[0]
                for r in self.query(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            out: dict[str, list[SourceColumn]] = {}
            keys: dict[str, list[str]] = {}
            for name in names:
                info = self.query(f"PRAGMA table_info({self.quote(name)})")
                out[name] = [SourceColumn(r[1], r[2] or "TEXT") for r in info]
                pk = sorted((r[5], r[1]) for r in info if r[5])
                if pk:
                    keys[name] = [c for _, c in pk]
            self._columns, self._keys = out, keys
        return self._columns

    def primary_keys(self) -> dict[str, list[str]]:
        self.all_columns()
        return self._keys or {}

    def checksum(self, table: str) -> str:
        digest = hashlib.blake2b(digest_size=16)
        cursor = self.conn.execute(f"SELECT * FROM {self.quote(table)}")
        while rows := cursor.fetchmany(10_000):
            digest.update(repr(rows).encode())
        return digest.hexdigest()

    def _cursor(self) -> Any:
        return self.conn.cursor()

    def close(self) -> None:
        self.conn.close()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes | bytearray) else str(value)


def use_connectorx(ds: DatasourceSettings) -> bool:
    """Whether the connectorx reader is used for this datasource."""
    if ds.driver == "dbapi":
        return False
    try:
        import connectorx  # noqa: F401
    except ImportError:
        if ds.driver == "connectorx":
            raise SourceError(
                f"{ds.name}: driver connectorx is not installed (pip install connectorx)"
            ) from None
        return False
    return True


def _connectorx_stream(
    url: str, sql: str, wire: list[pa.Field], batch_rows: int, pre: str | None = None
) -> Iterator[pa.RecordBatch]:
    import connectorx as cx

    schema = pa.schema(wire)
    try:
        reader = cx.read_sql(
            url, sql, return_type="arrow_stream", batch_size=batch_rows, pre_execution_query=pre
        )
    except BaseException as exc:  # connectorx raises a PanicException (BaseException) on bad values
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise RuntimeError(f"connectorx: {exc}") from None
    for batch in reader:
        if batch.num_rows == 0:
            continue
        arrays = []
        for i, f in enumerate(wire):
            col = batch.column(i)
            if col.type != f.type:
                col = col.cast(f.type)
            arrays.append(col)
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def open_source(ds: DatasourceSettings) -> Source:
    """Connect to a datasource's database."""
    if not ds.url:
        raise SourceError(f"{ds.name}: no url configured")
    dialect = dialect_of(ds.url)
    url = make_url(ds.url)
    if dialect == "mysql":
        return MySQLSource(ds, url)
    if dialect == "postgresql":
        return PostgresSource(ds, url)
    return SQLiteSource(ds, url)


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: lost connections, timeouts, deadlocks."""
    code = exc.args[0] if getattr(exc, "args", None) else None
    if type(exc).__name__ == "OperationalError" and code in (1205, 1213, 2003, 2006, 2013, 2055):
        return True
    text = str(exc).lower()
    return any(
        k in text
        for k in (
            "timed out",
            "timeout",
            "connection refused",
            "broken pipe",
            "lost connection",
            "reset by peer",
        )
    )
