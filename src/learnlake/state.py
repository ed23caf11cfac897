"""Run bookkeeping: run history, checkpoints and the batch lock, in the data directory.

The state lives in a small SQLite file in WAL mode (readers never block the writer) next to a lock
file. Only one batch run may write at a time: a second one waits or stops with a clear message
naming the run that holds the lock, instead of corrupting its work.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stage TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_s REAL,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL DEFAULT '[]',
    rows_in INTEGER NOT NULL DEFAULT 0,
    rows_out INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    message TEXT
);
CREATE TABLE IF NOT EXISTS checkpoints (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
"""


class LockedError(Exception):
    """Another batch run holds the lock."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class RunRecord:
    """One stage run as listed by `learnlake runs`."""

    id: int
    stage: str
    started_at: str
    finished_at: str | None
    duration_s: float | None
    status: str
    inputs: list[str]
    rows_in: int
    rows_out: int
    quarantined: int
    message: str | None


@dataclass
class RunCounters:
    """What a running stage reports; saved when the run finishes."""

    inputs: list[str] = field(default_factory=list)
    rows_in: int = 0
    rows_out: int = 0
    quarantined: int = 0
    message: str | None = None


class StateStore:
    """Run history and checkpoints of one data directory."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "state.sqlite"
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit is written to the WAL (so it survives the process being
        # killed, even by SIGKILL) but not fsynced each time. Only an OS crash or power loss can
        # lose the last commits, and the lake stays exact then too: data files are fsynced and
        # renamed before their checkpoints are stored, and rows are deduplicated against the
        # files already in a partition, so re-reading input a lost checkpoint covered adds nothing.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    # -- runs -----------------------------------------------------------------------------------

    @contextmanager
    def run(self, stage: str, inputs: list[str] | None = None) -> Iterator[RunCounters]:
        """Record a stage run: 'running' at start, then ok/quarantined/failed with its counters."""
        counters = RunCounters(inputs=list(inputs or []))
        started = _now()
        cur = self._db.execute(
            "INSERT INTO runs (stage, started_at, status, inputs) VALUES (?, ?, 'running', ?)",
            (stage, started.isoformat(), orjson.dumps(counters.inputs).decode()),
        )
        run_id = cur.lastrowid
        status = "failed"
        try:
            yield counters
            status = "quarantined" if counters.quarantined else "ok"
        except BaseException as exc:
            counters.message = counters.message or f"{type(exc).__name__}: {exc}"
            raise
        finally:
            finished = _now()
            self._db.execute(
                "UPDATE runs SET finished_at=?, duration_s=?, status=?, inputs=?, rows_in=?, rows_out=?,"
                " quarantined=?, message=? WHERE id=?",
                (
                    finished.isoformat(),
                    (finished - started).total_seconds(),
                    status,
                    orjson.dumps(counters.inputs).decode(),
                    counters.rows_in,
                    counters.rows_out,
                    counters.quarantined,
                    counters.message,
                    run_id,
                ),
            )

    def runs(self, limit: int = 50, stage: str | None = None) -> list[RunRecord]:
        """The most recent runs first."""
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        if stage:
            sql += " WHERE stage = ?"
            params.append(stage)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        rows = self._db.execute(sql, params).fetchall()
        return [
            RunRecord(r[0], r[1], r[2], r[3], r[4], r[5], orjson.loads(r[6]), r[7], r[8], r[9], r[10])
            for r in rows
        ]

    def mark_interrupted(self) -> int:
        """Mark runs left 'running' by a killed process as 'interrupted' (call with the lock held)."""
        cur = self._db.execute("UPDATE runs SET status='interrupted' WHERE status='running'")
        return cur.rowcount

    # -- checkpoints ----------------------------------------------------------------------------

    def get_checkpoint(self, scope: str, key: str) -> Any:
        """A stored checkpoint value (any JSON value) or None."""
        row = self._db.execute(
            "SELECT value FROM checkpoints WHERE scope=? AND key=?", (scope, key)
        ).fetchone()
        return orjson.loads(row[0]) if row else None

    def checkpoints(self, scope: str) -> dict[str, Any]:
        """Every checkpoint of one scope."""
        rows = self._db.execute("SELECT key, value FROM checkpoints WHERE scope=?", (scope,))
        return {k: orjson.loads(v) for k, v in rows}

    def set_checkpoint(self, scope: str, key: str, value: Any) -> None:
        """Store a checkpoint value, replacing the previous one."""
        self.set_checkpoints([(scope, key, value)])

    def set_checkpoints(self, items: list[tuple[str, str, Any]]) -> None:
        """Store several checkpoint values in one transaction: all of them or none."""
        now = _now().isoformat()
        rows = [(scope, key, orjson.dumps(value).decode(), now) for scope, key, value in items]
        if not rows:
            return
        with self._transaction():
            self._db.executemany(
                "INSERT INTO checkpoints (scope, key, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (scope, key) DO UPDATE SET value=excluded.value,"
                " updated_at=excluded.updated_at",
                rows,
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


@contextmanager
def batch_lock(state_dir: Path, holder: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the data directory's batch lock for the duration of a run.

    The lock is an flock on a file, so it is released by the kernel when the process dies,
    even by SIGKILL: a crashed run never leaves a stale lock behind.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "batch.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    other = _read_holder(path)
                    raise LockedError(
                        f"another learnlake batch run holds {path} ({other}); "
                        "wait for it to finish or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        since = _now().isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, {holder}, since {since}".encode(), 0)
        yield
    finally:
        os.close(fd)


def _read_holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown holder"
    except OSError:
        return "unknown holder"
