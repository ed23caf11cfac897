"""Compaction: merge a partition's small files into one, so partitions keep a bounded file count.

Each ingest batch adds one file per partition it touches; a live site ingested every few minutes
would pile up thousands. Compaction rewrites a partition's files as one (sorted by time) and
swaps it in:

- local lake: the new partition folder is built next to the old one (hidden name) and the two are
  exchanged with one atomic `renameat2(RENAME_EXCHANGE)`, so a reader listing the folder sees the
  old files or the new file, never both and never neither. A query that listed the old files just
  before the swap gets a not-found error once; the warehouse reader retries it.
- S3: the merged object is PUT, then the old ones deleted (S3 has no atomic rename; during those
  milliseconds an external engine may list both).

The same swap serves `replay`, which rebuilds a partition's content from scratch.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
from dataclasses import dataclass, field

import pyarrow as pa

from learnlake.lake.layout import TABLES, TableSpec, table_path
from learnlake.lake.storage import LakeStorage
from learnlake.lake.writer import new_batch_id

log = logging.getLogger(__name__)

RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass
class CompactionResult:
    """What a compaction did."""

    partitions: int = 0
    files_before: int = 0
    files_after: int = 0
    details: list[str] = field(default_factory=list)


def _exchange(a: str, b: str) -> bool:
    """Atomically swap two paths (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, a.encode(), _AT_FDCWD, b.encode(), RENAME_EXCHANGE)
    if rc != 0:
        err = ctypes.get_errno()
        if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: filesystem without exchange
            return False
        raise OSError(err, os.strerror(err), a)
    return True


def partitions_of(storage: LakeStorage, prefix: str, spec: TableSpec) -> list[str]:
    """Every partition folder of a table (relative paths)."""
    base = table_path(prefix, spec.name)
    out = []
    for lms in storage.list_dirs(base):
        if not lms.startswith("lms="):
            continue
        if spec.time_column is None:
            out.append(f"{base}/{lms}")
            continue
        out.extend(f"{base}/{lms}/{d}" for d in storage.list_dirs(f"{base}/{lms}") if d.startswith("date="))
    return out


def replace_partition(storage: LakeStorage, part: str, table: pa.Table, old_files: list[str] | None) -> None:
    """Make `table` the whole content of a partition folder, atomically where the storage allows.

    `old_files` (names) are the files being replaced; None means every file in the folder.
    """
    name = f"{new_batch_id()}.parquet"
    if not storage.is_local:
        if table.num_rows:
            storage.write_atomic(table, f"{part}/{name}")
        for old in old_files if old_files is not None else storage.list_files(part):
            storage.delete(f"{part}/{old}")
        return
    parent, _, leaf = storage.path(part).rpartition("/")
    fresh = f"{parent}/.{leaf}.new"
    shutil.rmtree(fresh, ignore_errors=True)
    os.makedirs(fresh)
    current = storage.path(part)
    keep = []
    if old_files is not None and os.path.isdir(current):
        keep = [f for f in storage.list_files(part) if f not in set(old_files)]
        for f in keep:  # files that arrived meanwhile stay (hard links: no copy)
            os.link(f"{current}/{f}", f"{fresh}/{f}")
    if table.num_rows:
        LakeStorage(fresh).write_atomic(table, name)
    if not os.path.isdir(current):
        os.replace(fresh, current)
        return
    if not _exchange(fresh, current):
        old = f"{parent}/.{leaf}.old"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(current, old)
        os.replace(fresh, current)
        fresh = old
    shutil.rmtree(fresh, ignore_errors=True)  # now holds the previous content


def cleanup(storage: LakeStorage, prefix: str) -> None:
    """Remove folders a killed compaction or replay left behind (hidden, never read)."""
    if not storage.is_local:
        return
    for spec in TABLES.values():
        base = storage.path(table_path(prefix, spec.name))
        for dirpath, dirs, _files in os.walk(base):
            for d in list(dirs):
                if d.startswith(".") and (d.endswith(".new") or d.endswith(".old")):
                    shutil.rmtree(os.path.join(dirpath, d), ignore_errors=True)
                    dirs.remove(d)


def compact(
    storage: LakeStorage,
    prefix: str,
    min_files: int = 8,
    tables: list[str] | None = None,
    only: set[str] | None = None,
) -> CompactionResult:
    """Merge the files of every partition holding at least `min_files` (caller holds the batch lock).

    `only` limits the work to these partition folders (those a run just wrote to).
    """
    result = CompactionResult()
    cleanup(storage, prefix)
    for name, spec in TABLES.items():
        if tables and name not in tables:
            continue
        if only is None:
            parts = partitions_of(storage, prefix, spec)
        else:
            parts = sorted(p for p in only if p.startswith(f"{table_path(prefix, name)}/"))
        for part in parts:
            files = storage.list_files(part)
            if len(files) < max(2, min_files):
                continue
            merged = pa.concat_tables(
                [storage.read_table(f"{part}/{f}") for f in files], promote_options="permissive"
            )
            if spec.time_column:
                merged = merged.sort_by([(spec.time_column, "ascending"), (spec.key, "ascending")])
            replace_partition(storage, part, merged, files)
            result.partitions += 1
            result.files_before += len(files)
            result.files_after += 1
            result.details.append(f"{part}: {len(files)} files -> 1 ({merged.num_rows} rows)")
    return result
