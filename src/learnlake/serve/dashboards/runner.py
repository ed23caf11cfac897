"""Running chart queries: read-only DuckDB connections, a small result cache, a time limit.

Results are cached per (SQL, bound values) and dropped when the data changes (a new run in the
run history, or a new lake file seen through the warehouse views after the TTL), so a dashboard
opened twice does not scan the lake twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
from starlette.responses import Response

from learnlake.config import Settings
from learnlake.warehouse import open_warehouse

log = logging.getLogger(__name__)

CACHE_TTL_S = 120.0
CACHE_ENTRIES = 512
QUERY_TIMEOUT_S = 30.0


class QueryTimeout(Exception):
    """A query ran longer than the limit and was interrupted."""


class QueryRunner:
    """Executes read-only SQL with bound parameters on the configured warehouse."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.warehouse = open_warehouse(settings)
        self._cache: OrderedDict[tuple[Any, ...], tuple[float, pa.Table]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple[float, Any] = (0.0, None)
        self._conn_lock = threading.Lock()
        self._base_con: duckdb.DuckDBPyConnection | None = None
        self._base_ident: tuple[int, int] | None = None
        self._base_checked = 0.0

    def data_version(self) -> Any:
        """Changes whenever a run finishes (checked at most once a second)."""
        now = time.monotonic()
        checked, version = self._version
        if now - checked < 1.0:
            return version
        path = Path(self.settings.state_dir) / "state.sqlite"
        version = None
        if path.exists():
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
                try:
                    version = db.execute("SELECT max(id), max(finished_at) FROM runs").fetchone()
                finally:
                    db.close()
            except sqlite3.Error:
                version = None
        self._version = (now, version)
        return version

    def run(self, sql: str, params: dict[str, Any] | None = None, cache: bool = True) -> pa.Table:
        """The result of one query, from the cache when the data did not change."""
        params = dict(params or {})
        key = (sql, tuple(sorted((k, repr(v)) for k, v in params.items())), self.data_version())
        if cache:
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None and time.monotonic() - hit[0] < CACHE_TTL_S:
                    self._cache.move_to_end(key)
                    return hit[1]
        table = self._execute(sql, params)
        if cache:
            with self._lock:
                self._cache[key] = (time.monotonic(), table)
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return table

    def clear(self) -> None:
        """Forget every cached result."""
        with self._lock:
            self._cache.clear()

    def _base(self) -> duckdb.DuckDBPyConnection | None:
        """A long-lived read-only connection to the current warehouse file (re-opened when swapped).

        Queries run on cursors of it, which is several times faster than opening the file for
        each query. A file replaced by a writer (new inode) gets a new connection; the old one is
        closed by the garbage collector once its last cursor is done.
        """
        now = time.monotonic()
        with self._conn_lock:
            if self._base_con is not None and now - self._base_checked < 1.0:
                return self._base_con
            self._base_checked = now
            path = Path(self.warehouse.path)  # type: ignore[attr-defined]
            if not path.exists():
                self.warehouse.refresh()
            try:
                st = path.stat()
            except OSError:
                return None
            ident = (st.st_ino, st.st_mtime_ns)
            if self._base_con is None or ident != self._base_ident:
                try:
                    con = duckdb.connect(str(path), read_only=True)
                except duckdb.Error:
                    return None  # busy or being replaced: fall back to a one-off connection
                self._base_con, self._base_ident = con, ident
            return self._base_con

    def _execute(self, sql: str, params: dict[str, Any]) -> pa.Table:
        for attempt in range(3):
            base = self._base() if self.warehouse.engine == "duckdb" else None
            with contextlib.ExitStack() as stack:
                if base is not None:
                    con = base.cursor()
                    stack.callback(con.close)
                    self.warehouse._setup(con)  # type: ignore[attr-defined]
                else:
                    con = stack.enter_context(self.warehouse.connect())
                timer = threading.Timer(QUERY_TIMEOUT_S, con.interrupt)
                timer.start()
                try:
                    return con.execute(sql, params or None).to_arrow_table()
                except duckdb.InterruptException:
                    raise QueryTimeout(f"query stopped after {QUERY_TIMEOUT_S:.0f} s") from None
                except duckdb.IOException as exc:  # a lake file swapped by compaction: list again
                    if attempt == 2:
                        raise
                    log.info("retrying a chart query: %s", exc)
                finally:
                    timer.cancel()
        raise AssertionError("unreachable")


def jsonable(value: Any) -> Any:
    """A value orjson can write (Decimal → float, others as they are)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def json_bytes(data: Any) -> bytes:
    """JSON written by orjson (dates as ISO 8601, Decimals as numbers)."""
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


def json_response(data: Any, status_code: int = 200) -> Response:
    """A JSON response written by orjson."""
    return Response(json_bytes(data), status_code=status_code, media_type="application/json")


class LruCache:
    """A small thread-safe LRU map (encoded chart answers)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The value or None."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        """Store, dropping the least recently used entries beyond the size."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def _default(value: Any) -> Any:
    converted = jsonable(value)
    if converted is value:
        return str(value)
    return converted
