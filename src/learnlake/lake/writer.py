"""Batch commits to the lake: deduplicated, atomic, and tied to the checkpoints of what was read.

A batch goes through a journal kept in the state store (one record per writer):

1. `writing`: the files the batch will create are recorded, then staged (local: hidden temp files,
   fsynced; S3: the final objects, each PUT being atomic);
2. `committed`: once every file is durable the journal says so. This is the commit point;
3. the staged files are published (renamed), the batch's checkpoints (file offsets) are stored and
   the journal is cleared.

After a crash, `recover` rolls a `writing` batch back (deletes whatever it staged: its input was
never checkpointed, so the next run reads it again) and rolls a `committed` batch forward (publish,
store checkpoints). Either way nothing is lost and nothing is written twice.

Rows are deduplicated on the table's key before writing: within the batch (first occurrence wins)
and against the files already in the partition, so the lake itself never holds a key twice.

A batch may also carry raw files (gzip-compressed while staging, e.g. the copy of the tracking-log
lines it read): they go through the same journal, so each appears exactly once.
"""

from __future__ import annotations

import gzip
import importlib
import logging
import os
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from learnlake.lake.layout import TABLES, TableSpec, partition_path
from learnlake.lake.storage import LakeStorage
from learnlake.state import StateStore

log = logging.getLogger(__name__)


def _gzip_compress() -> Any:
    """ISA-L's gzip (several times faster than zlib, same format), or the standard library's."""
    try:
        return importlib.import_module("isal.igzip").compress
    except ImportError:  # pragma: no cover - optional speed-up
        return gzip.compress


_compress = _gzip_compress()

JOURNAL_SCOPE = "lake-journal"
Checkpoint = tuple[str, str, Any]


@dataclass
class CommitResult:
    """What one batch commit stored."""

    rows: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def new_batch_id() -> str:
    """Sortable, unique batch id: time in ns (hex) + random suffix."""
    return f"{time.time_ns():016x}-{uuid.uuid4().hex[:8]}"


def _first_occurrences(table: pa.Table, key: str) -> pa.Table:
    """Drop rows whose key already appeared earlier in the table."""
    if table.num_rows < 2:
        return table
    idx = pa.array(range(table.num_rows), pa.int64())
    grouped = (
        pa.table({"k": table.column(key), "i": idx})
        .group_by("k", use_threads=False)
        .aggregate([("i", "min")])
    )
    if grouped.num_rows == table.num_rows:
        return table
    first = grouped.column("i_min")
    return table.take(pc.take(first, pc.sort_indices(first)))


@dataclass
class Plan:
    """A prepared batch: its files (partition, path, rows, table), raw files and checkpoints."""

    batch: str
    files: list[tuple[str, str, pa.Table, TableSpec]]
    checkpoints: list[Any]
    result: CommitResult
    raw: dict[str, list[bytes]] = field(default_factory=dict)


@dataclass
class _PartitionKeys:
    files: set[str]
    keys: list[pa.Array]


class LakeWriter:
    """Writes deduplicated batches of one LMS site's rows with journaled, crash-safe commits."""

    def __init__(
        self,
        storage: LakeStorage,
        store: StateStore,
        prefix: str,
        lms: str,
        name: str,
        cached_partitions: int = 8,
    ) -> None:
        self.storage = storage
        self.store = store
        self.prefix = prefix
        self.lms = lms
        self.name = name
        self._cache: OrderedDict[str, _PartitionKeys] = OrderedDict()
        self.touched: set[str] = set()  # partitions this writer added files to
        self._cache_size = cached_partitions

    # -- recovery --------------------------------------------------------------------------

    def recover(self) -> str | None:
        """Finish or undo the batch a killed process left in the journal; say what was done."""
        journal = self.store.get_checkpoint(JOURNAL_SCOPE, self.name)
        if not journal:
            return None
        files: list[str] = journal.get("files", [])
        batch = journal.get("batch")
        if journal.get("state") == "committed":
            self._finish(files, journal.get("checkpoints", []))
            log.warning("completed batch %s left by an interrupted run (%d files)", batch, len(files))
            return f"completed batch {batch}"
        self.storage.discard(files)
        self.store.set_checkpoint(JOURNAL_SCOPE, self.name, None)
        log.warning("rolled back batch %s left by an interrupted run (%d files)", batch, len(files))
        return f"rolled back batch {batch}"

    def _finish(self, files: list[str], checkpoints: list[Any]) -> None:
        self.storage.publish(files)
        # the checkpoints and the cleared journal in one transaction
        done = [(scope, key, value) for scope, key, value in checkpoints]
        self.store.set_checkpoints([*done, (JOURNAL_SCOPE, self.name, None)])

    # -- commits ---------------------------------------------------------------------------

    def commit(
        self,
        tables: dict[str, pa.Table],
        checkpoints: list[Checkpoint],
        raw: dict[str, list[bytes]] | None = None,
    ) -> CommitResult:
        """Store a batch of rows (deduplicated) together with the checkpoints it completes."""
        plan = self.prepare(tables, checkpoints, raw)
        self.stage(plan)
        return self.finish(plan)

    def prepare(
        self,
        tables: dict[str, pa.Table],
        checkpoints: list[Checkpoint],
        raw: dict[str, list[bytes]] | None = None,
    ) -> Plan:
        """Deduplicate a batch and record in the journal the files it will write.

        `raw` maps paths (relative to the lake root) to the bytes of raw files, written
        gzip-compressed (their paths should end in .gz); they are committed with the batch.

        `prepare`, `stage` and `finish` split `commit` so the Parquet writing (`stage`, which
        touches neither the journal nor the state store) can run in another thread while the
        next batch is being parsed. Call them in order, one batch at a time.
        """
        batch = new_batch_id()
        result = CommitResult()
        planned: list[tuple[str, str, pa.Table, TableSpec]] = []
        for name, table in tables.items():
            spec = TABLES[name]
            if table.num_rows == 0:
                continue
            given = table.num_rows
            table = _first_occurrences(table, spec.key)
            written = 0
            for part, sub in self._partitions(spec, table):
                sub = self._new_rows(part, spec, sub)
                if sub.num_rows:
                    rel = f"{part}/{batch}.parquet"
                    planned.append((part, rel, sub, spec))
                    written += sub.num_rows
                    cached = self._cache.get(part)
                    if cached is not None:  # later batches deduplicate against these rows too
                        cached.files.add(rel.rsplit("/", 1)[-1])
                        cached.keys.extend(sub.column(spec.key).chunks)
            result.rows[name] = written
            result.duplicates[name] = given - written
        raw = {rel: parts for rel, parts in (raw or {}).items() if parts}
        result.files = [rel for _, rel, _, _ in planned] + list(raw)
        cps = [[s, k, v] for s, k, v in checkpoints]
        plan = Plan(batch, planned, cps, result, raw)
        if result.files:
            journal = {"batch": batch, "state": "writing", "files": result.files, "checkpoints": cps}
            self.store.set_checkpoint(JOURNAL_SCOPE, self.name, journal)
        return plan

    def stage(self, plan: Plan) -> None:
        """Write the batch's files, durable but not yet visible (thread-safe: no state store)."""
        _crash_point("staging")
        for _, rel, sub, _ in plan.files:
            self.storage.stage_parquet(sub, rel)
            _crash_point("staged-file")
        for rel, parts in plan.raw.items():
            _stage_bytes(self.storage, _compress(b"".join(parts)), rel)
            _crash_point("staged-file")

    def finish(self, plan: Plan) -> CommitResult:
        """Commit a staged batch: journal, publish, checkpoints."""
        files = plan.result.files
        if not files:
            self.store.set_checkpoints([(scope, key, value) for scope, key, value in plan.checkpoints])
            return plan.result
        journal = {"batch": plan.batch, "state": "committed", "files": files, "checkpoints": plan.checkpoints}
        self.store.set_checkpoint(JOURNAL_SCOPE, self.name, journal)
        _crash_point("committed")
        self._finish(files, plan.checkpoints)
        for part, _, _, _ in plan.files:
            self.touched.add(part)
        return plan.result

    def _partitions(self, spec: TableSpec, table: pa.Table) -> list[tuple[str, pa.Table]]:
        if spec.time_column is None:
            return [(partition_path(self.prefix, spec.name, self.lms, None), table)]
        dates = pc.cast(table.column(spec.time_column), pa.date32())
        days = pc.unique(dates).to_pylist()
        if len(days) == 1:  # the usual case: no copy
            return [(partition_path(self.prefix, spec.name, self.lms, days[0].isoformat()), table)]
        out = []
        for day in days:
            sub = table.filter(pc.equal(dates, pa.scalar(day, pa.date32())))
            out.append((partition_path(self.prefix, spec.name, self.lms, day.isoformat()), sub))
        return out

    def _new_rows(self, part: str, spec: TableSpec, table: pa.Table) -> pa.Table:
        """Rows whose key is not stored in the partition yet."""
        cached = self._cache.pop(part, None) or _PartitionKeys(set(), [])
        files = self.storage.list_files(part)
        unseen = [f for f in files if f not in cached.files]
        if unseen:
            col = self.storage.read_column([f"{part}/{f}" for f in unseen], spec.key)
            cached.keys.extend(col.chunks)
            cached.files.update(unseen)
        if len(cached.keys) > 8:
            cached.keys = [pa.concat_arrays(cached.keys)]
        self._cache[part] = cached
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        if not cached.keys:
            return table
        existing = pa.chunked_array(cached.keys, pa.string())
        known = pc.is_in(table.column(spec.key), value_set=existing)
        if not pc.any(known).as_py():  # the usual case: nothing stored yet, no copy
            return table
        return table.filter(pc.invert(known))


def _stage_bytes(storage: LakeStorage, data: bytes, rel: str) -> None:
    """Write bytes durable but not yet visible, as `LakeStorage.stage_parquet` does for tables."""
    if storage.is_local:
        tmp = storage.path(storage.temp_name(rel))
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return
    with storage.fs.open(storage.path(rel), "wb") as fh:
        fh.write(data)


def _crash_point(name: str) -> None:
    """Fault injection for the crash tests: LEARNLAKE_CRASH_AT=<name>[:<n>] kills us there."""
    spec = os.environ.get("LEARNLAKE_CRASH_AT")
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    count = _CRASH_COUNTS.get(name, 0) + 1
    _CRASH_COUNTS[name] = count
    if count >= int(nth or 1):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


_CRASH_COUNTS: dict[str, int] = {}
