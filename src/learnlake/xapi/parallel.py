"""Tracking log files → xAPI Arrow batches on every CPU.

Each worker process reads its own byte range of the input files, runs `transform_lines` on it and
sends back Arrow IPC bytes (or writes an Arrow IPC file), so the parent ships no lines and
unpickles no statements: its work per chunk is a few small objects. Workers are started by
multiprocessing's fork server (a fresh single-threaded process), never forked from a parent that
may be running threads (pyarrow's, a web server's), which can deadlock a forked child; like any
non-fork start method, the caller's main module must be import-safe (`if __name__ == "__main__"`).

A chunk holds the lines that *start* in its byte range, so ranges need no alignment: a worker
skips the partial line at its start (the previous chunk reads it to its end). Line numbers are
relative inside a worker; the parent adds the lines of the chunks before, in order. Gzipped files
cannot be entered in the middle: each is one chunk.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import multiprocessing
import os
import pickle
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa

from learnlake.xapi.batch import RAW_LIMIT, STATEMENT_SCHEMA, QuarantineRecord, XapiBatch, transform_lines
from learnlake.xapi.lookups import Lookups
from learnlake.xapi.transform import XapiTransformer

CHUNK_BYTES = 16 * 1024 * 1024  # per task: small enough to balance two workers, big enough to amortize


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Chunk:
    """The lines of `path` that start in bytes [start, end); `index` orders chunks of one file."""

    path: str
    index: int
    start: int
    end: int  # -1: to the end of the file (gzip)


def plan_chunks(paths: Iterable[str | Path], chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:
    """Split files into byte ranges of about `chunk_bytes` (a gzipped file is one chunk)."""
    chunks: list[Chunk] = []
    size_each = max(1, chunk_bytes)
    for p in paths:
        path = str(p)
        if path.endswith(".gz"):
            chunks.append(Chunk(path, 0, 0, -1))
            continue
        size = os.path.getsize(path)
        parts = max(1, -(-size // size_each))
        step = -(-size // parts) if size else 1
        chunks.extend(Chunk(path, i, i * step, min(size, (i + 1) * step)) for i in range(parts))
    return chunks


def _open(chunk: Chunk) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(chunk.path, "rb")) if chunk.end < 0 else open(chunk.path, "rb")


def _seek_first_line(handle: IO[bytes], chunk: Chunk) -> int:
    """Move to the chunk's first line and return its byte offset (the line in progress at the
    range's start belongs to the previous chunk, which reads it to its end)."""
    if chunk.start <= 0 or chunk.end < 0:
        return 0
    handle.seek(chunk.start - 1)
    return chunk.start - 1 + len(handle.readline())


def _chunk_lines(handle: IO[bytes], chunk: Chunk) -> tuple[int, Iterable[bytes]]:
    """(byte offset of the chunk's first line, its lines): the range is read with one call and
    split by `BytesIO` iteration in C, at newlines only, exactly as file iteration splits."""
    start = _seek_first_line(handle, chunk)
    if chunk.end < 0:
        return start, handle
    if start >= chunk.end:
        return start, ()
    data = handle.read(chunk.end - start)
    if data and not data.endswith(b"\n"):
        data += handle.readline()  # the last line started in the range: it is read to its end
    return start, io.BytesIO(data)


@dataclass
class _BatchInfo:
    """Everything of an `XapiBatch` except its statements (those travel as Arrow IPC)."""

    quarantine: list[QuarantineRecord]
    first_line: int
    next_line: int
    end_offset: int
    events: int
    not_mapped: Counter[str]
    skipped: Counter[str]


@dataclass
class ChunkResult:
    """A worker's output for one chunk; line numbers inside are relative to the chunk's first line."""

    chunk: Chunk
    start_offset: int  # byte offset of the chunk's first line
    lines: int
    batches: list[_BatchInfo]
    ipc: bytes | str  # Arrow IPC stream bytes, or the path of the IPC file written
    cpu_seconds: float  # CPU time the worker spent on this chunk
    assigned: dict[str, Any]  # external ids the worker assigned (to persist in the parent)


@dataclass
class _Options:
    batch_rows: int
    normalize: bool
    erb_allowlist: bool
    raw_limit: int
    out_dir: str | None


_worker_lookups: Any = None
_worker_transformer: XapiTransformer | None = None
_worker_sent: set[str] = set()  # assigner keys already reported to the parent


def _init_worker(lookups_pickle: bytes) -> None:
    global _worker_lookups, _worker_transformer
    _worker_lookups = pickle.loads(lookups_pickle)
    _worker_transformer = XapiTransformer(_worker_lookups)
    _worker_sent.clear()


def _run_chunk(chunk: Chunk, options: _Options, lookups: Any, tf: XapiTransformer) -> ChunkResult:
    """One chunk: read its lines, transform them, serialize the batches."""
    started = time.process_time()
    infos: list[_BatchInfo] = []
    sink = pa.BufferOutputStream()
    target: str | None = None
    if options.out_dir is not None:
        stem = Path(chunk.path).name.replace(".", "_")
        target = str(Path(options.out_dir) / f"{stem}-{chunk.index:06d}.arrow")
    with _open(chunk) as handle, pa.ipc.new_stream(sink, STATEMENT_SCHEMA) as writer:
        start_offset, lines = _chunk_lines(handle, chunk)
        next_line = 1
        for batch in transform_lines(
            lines,
            lookups,
            chunk.path,
            options.batch_rows,
            start_offset=start_offset,
            erb_allowlist=options.erb_allowlist,
            raw_limit=options.raw_limit,
            normalize=options.normalize,
            transformer=tf,
        ):
            writer.write_batch(batch.statements)
            infos.append(
                _BatchInfo(
                    batch.quarantine,
                    batch.first_line,
                    batch.next_line,
                    batch.end_offset,
                    batch.events,
                    batch.not_mapped,
                    batch.skipped,
                )
            )
            next_line = batch.next_line
    ipc: bytes | str
    if target is None:
        ipc = sink.getvalue().to_pybytes()
    else:  # one write: Arrow's unbuffered file output costs more than the copy
        with open(target, "wb") as out:
            out.write(sink.getvalue())
        ipc = target
    return ChunkResult(chunk, start_offset, next_line - 1, infos, ipc, time.process_time() - started, {})


def _take_assigned(lookups: Any) -> dict[str, Any]:
    """External ids assigned in this worker since the last call, removed from its pending state."""
    store = getattr(lookups, "store", None)
    pending = getattr(store, "pending", None)
    if isinstance(pending, dict) and pending:
        taken = dict(pending)
        pending.clear()
        known = getattr(store, "known", None)
        if isinstance(known, dict):
            known.update({k: v[2] for k, v in taken.items()})
        return {"store": taken}
    assigner = getattr(lookups, "assigner", None)
    assigned = getattr(assigner, "assigned", None)
    if store is None and isinstance(assigned, dict) and assigned:
        new = {k: v for k, v in assigned.items() if k not in _worker_sent}
        _worker_sent.update(new)
        return {"assigner": new} if new else {}
    return {}


def _merge_assigned(lookups: Any, assigned: dict[str, Any]) -> None:
    """Record a worker's new assignments in the parent's lookups (its store persists them)."""
    store = getattr(lookups, "store", None)
    if "store" in assigned and store is not None:
        for key, value in assigned["store"].items():
            if key not in store.known and key not in store.pending:
                store.pending[key] = value
    assigner = getattr(lookups, "assigner", None)
    if "assigner" in assigned and assigner is not None:
        for key, value in assigned["assigner"].items():
            assigner.assigned.setdefault(key, value)


class XapiPool:
    """Worker processes holding one set of lookups; `transform_files` can be called repeatedly.

    `workers=1` runs in this process (no pool). Lookups must pickle (StaticLookups and the lake
    lookups do); a store of assignments is left in the parent and fed the workers' assignments.
    """

    def __init__(self, lookups: Lookups, workers: int | None = None) -> None:
        self.lookups = lookups
        self.workers = max(1, workers or cpu_count())
        self._pool: Any = None
        if self.workers > 1:
            try:
                payload = pickle.dumps(_for_workers(lookups))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                raise TypeError(
                    f"these lookups cannot be sent to worker processes ({exc}); use workers=1"
                ) from exc
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["learnlake.xapi.parallel"])
            self._pool = ctx.Pool(self.workers, initializer=_init_worker, initargs=(payload,))
        self._local = XapiTransformer(lookups) if self._pool is None else None

    def close(self) -> None:
        """Stop the workers (waits for running tasks)."""
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> XapiPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def results(
        self,
        paths: Iterable[str | Path],
        *,
        batch_rows: int = 50_000,
        normalize: bool = True,
        erb_allowlist: bool = False,
        raw_limit: int = RAW_LIMIT,
        out_dir: str | Path | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> Iterator[ChunkResult]:
        """Raw per-chunk results in input order (for callers that keep the IPC bytes as they are)."""
        options = _Options(
            batch_rows, normalize, erb_allowlist, raw_limit, None if out_dir is None else str(out_dir)
        )
        chunks = plan_chunks(paths, chunk_bytes)
        if self._local is not None:
            for chunk in chunks:
                yield _run_chunk(chunk, options, self.lookups, self._local)
            return
        tasks = [(chunk, options) for chunk in chunks]
        for result in self._pool.imap(_run_chunk_in_worker, tasks):
            _merge_assigned(self.lookups, result.assigned)
            yield result

    def transform_files(self, paths: Iterable[str | Path], **options: Any) -> Iterator[XapiBatch]:
        """`XapiBatch`es of the files in order, line numbers counted from each file's start."""
        line_base: dict[str, int] = {}
        for result in self.results(paths, **options):
            base = line_base.get(result.chunk.path, 0)
            line_base[result.chunk.path] = base + result.lines
            yield from _batches(result, base)


def _run_chunk_in_worker(task: tuple[Chunk, _Options]) -> ChunkResult:
    tf = _worker_transformer
    if tf is None:
        raise RuntimeError("xAPI worker process not initialized")
    result = _run_chunk(task[0], task[1], _worker_lookups, tf)
    result.assigned = _take_assigned(_worker_lookups)
    return result


def _for_workers(lookups: Lookups) -> Any:
    """The lookups without a store's pending writes (workers only read what is stored)."""
    store = getattr(lookups, "store", None)
    if store is None or not dataclasses.is_dataclass(store):
        return lookups
    return dataclasses.replace(lookups, store=dataclasses.replace(store, pending={}))  # type: ignore[type-var]


def read_ipc(ipc: bytes | str) -> list[pa.RecordBatch]:
    """The statement batches of one chunk (zero-copy: from the bytes, or a memory-mapped file)."""
    source = pa.memory_map(ipc) if isinstance(ipc, str) else pa.py_buffer(ipc)
    with pa.ipc.open_stream(source) as reader:
        return list(reader)


def _batches(result: ChunkResult, base: int) -> Iterator[XapiBatch]:
    records = read_ipc(result.ipc)
    for info, statements in zip(result.batches, records, strict=True):
        quarantine = [dataclasses.replace(q, line=q.line + base) for q in info.quarantine]
        yield XapiBatch(
            statements,
            quarantine,
            result.chunk.path,
            info.first_line + base,
            info.next_line + base,
            info.end_offset,
            info.events,
            info.not_mapped,
            info.skipped,
        )


def transform_files(
    paths: Iterable[str | Path], lookups: Lookups, *, workers: int | None = None, **options: Any
) -> Iterator[XapiBatch]:
    """Transform whole log files on `workers` processes (default: every CPU this process may use).

    Options are those of `XapiPool.results` (`batch_rows`, `normalize`, `erb_allowlist`, `out_dir`…).
    """
    with XapiPool(lookups, workers) as pool:
        yield from pool.transform_files(paths, **options)
