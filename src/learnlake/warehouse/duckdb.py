"""The embedded DuckDB warehouse: the lake tables as views, readable while anything writes.

DuckDB lets one process open a database file for writing and then locks everyone else out. So
nobody ever opens the live file for writing: writers build a copy (`writer()`), and swap it in
with an atomic rename; readers open short-lived read-only connections (`connect()`, `query()`),
which keep the version they opened. Ingest does not touch the file at all: the views read the
lake's Parquet files directly, so new batches are visible the moment they are published.
If the file cannot be opened (another program holds it), a reader falls back to an in-memory
database with the same views instead of failing.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from learnlake.config import Settings
from learnlake.lake.discover import LakeFolderTable, discover_tables, table_has_files
from learnlake.lake.layout import QUERYABLE_TABLES
from learnlake.lake.storage import LakeStorage
from learnlake.warehouse.sql import view_statements

log = logging.getLogger(__name__)

META_TABLE = "_learnlake_meta"
OPEN_RETRY_S = 2.0


def _vanished_file(exc: Exception) -> bool:
    text = str(exc)
    return "No such file" in text or "No files found" in text or "Cannot open file" in text


class DuckDBWarehouse:
    """The default warehouse: one DuckDB file next to the data, views over the lake."""

    engine = "duckdb"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = Path(settings.duckdb_path)
        self.storage = LakeStorage(settings.lake_root, settings.lake.s3)
        self.prefix = settings.lake.prefix

    # -- connections -----------------------------------------------------------------------

    @cached_property
    def _remote_fs(self) -> Any:
        return None if self.storage.is_local else self.storage.fs

    def _setup(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("SET TimeZone = 'UTC'")
        if self._remote_fs is not None:
            con.register_filesystem(self._remote_fs)

    def _open_read_only(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + OPEN_RETRY_S
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=True)
            except duckdb.IOException as exc:
                if time.monotonic() >= deadline:
                    log.warning("warehouse file busy (%s): answering from the lake directly", exc)
                    con = duckdb.connect(":memory:")
                    self._setup(con)
                    for sql in self._statements().values():
                        con.execute(sql)
                    return con
                time.sleep(0.05)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-only connection with every lake table as a view."""
        if not self.path.exists():
            self.refresh()
        con = self._open_read_only()
        try:
            self._setup(con)
            yield con
        finally:
            con.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run one read-only query and return its rows as an Arrow table.

        A query that listed a partition's files just before a compaction swapped them finds a
        file gone; it is run again (the new listing is consistent).
        """
        for attempt in range(3):
            with self.connect() as con:
                try:
                    rel = con.execute(sql, list(params) if params is not None else None)
                    return rel.to_arrow_table()
                except duckdb.IOException as exc:
                    if attempt == 2 or not _vanished_file(exc):
                        raise
                    log.info("retrying a query after a lake file was swapped: %s", exc)
        raise AssertionError("unreachable")

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run one read-only query and return its rows as dicts (for JSON APIs and templates)."""
        return self.query(sql, params).to_pylist()

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to a copy of the file, swapped in atomically on success."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            if self.path.exists():
                shutil.copyfile(self.path, tmp)
            con = duckdb.connect(str(tmp))
            try:
                self._setup(con)
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        finally:
            for leftover in (tmp, Path(f"{tmp}.wal")):
                with suppress(FileNotFoundError):
                    leftover.unlink()
            os.close(lock_fd)

    # -- views -----------------------------------------------------------------------------

    def _present(self) -> set[str]:
        return {n for n, spec in QUERYABLE_TABLES.items() if table_has_files(self.storage, self.prefix, spec)}

    def discovered(self) -> dict[str, LakeFolderTable]:
        """Extracted tables and materialized models found in the lake → their folders."""
        return discover_tables(self.storage, self.prefix)

    def _statements(self) -> dict[str, str]:
        return view_statements(self.storage, self.prefix, self._present(), self.discovered())

    def refresh(self) -> bool:
        """(Re)define the lake views when tables appeared or the lake moved; True if changed."""
        wanted = self._statements()
        text = orjson.dumps(wanted, option=orjson.OPT_SORT_KEYS).decode()
        if self.path.exists():
            try:
                with self._raw_read_only() as con:
                    row = con.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'views'").fetchone()
                if row and row[0] == text:
                    return False
            except duckdb.Error:
                pass
        with self.writer() as con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
            for sql in wanted.values():
                con.execute(sql)
            con.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES ('views', ?)", [text])
        return True

    @contextmanager
    def _raw_read_only(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def counts(self) -> dict[str, int]:
        """Rows per lake table, learnlake's own first, then extracted tables and models."""
        out: dict[str, int] = {}
        with self.connect() as con:
            present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
            extra = sorted(n for n in self.discovered() if n in present)
            for name in (*QUERYABLE_TABLES, "xapi_events_all_parsed", *extra):
                row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
                out[name] = int(row[0]) if row else 0
        return out
