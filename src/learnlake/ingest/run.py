"""`ingest tracking-logs`: files → parsed events and xAPI statements → lake batches, exactly once.

The main process reads and decodes files in order and cuts them into chunks of whole lines; worker
processes (one per core) parse chunks (JSON, common keys, xAPI). The main process does not parse
when there are workers: parsing there held the GIL that its pool threads need to hand chunks out
and take results in, so the workers waited (measured: main thread 100% busy, worker 57%, and a
third slower than one worker per core). Results are taken in input order and are
gathered into batches of about `tracking_logs.batch_rows` events. Each batch is committed to the
lake together with the file offsets it completes (see `learnlake.lake.writer`), so a killed run
resumes exactly where the last committed batch ended. With `tracking_logs.copy_raw`, the lines a
batch read are also copied, gzipped, to `<prefix>/tracking_logs/lms=<host>/year=/month=/day=/`
in the same commit (Panorama's layout), so the copy too is incremental and exactly once.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import multiprocessing
import os
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

from learnlake.config import Settings
from learnlake.ingest import parse
from learnlake.ingest.identity import FileIndex, new_record, rekeyed
from learnlake.ingest.reader import CHUNK_BYTES, MAX_LINE, BadRegion, Chunk, DecodedFile, End, chunks
from learnlake.ingest.sources import SourceFile, resolve_sources
from learnlake.lake import QUARANTINE, TRACKING_EVENTS, XAPI_EVENTS_ALL, LakeStorage, LakeWriter
from learnlake.lake.layout import table_path
from learnlake.lake.writer import Plan
from learnlake.progress import ProgressReporter, progress
from learnlake.state import RunCounters, StateStore

log = logging.getLogger(__name__)

STAGE = "ingest-tracking-logs"
AUTO_COMPACT_FILES = 16  # after a run, partitions it wrote to with this many files are merged
BATCH_BYTES = 8 * 1024 * 1024  # a batch also ends at this much input, whatever batch_rows says
PARALLEL_MIN_BYTES = 8 * 1024 * 1024  # stored bytes; below this, worker start-up costs more than it saves
NOT_MAPPED_SHOWN = 10  # event names listed in the human summary (the --json summary has all)
RAW_COPY_TABLE = "tracking_logs"  # folder of the raw-log copy below the lake prefix
_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zst")


@dataclass
class IngestSummary:
    """What one ingest run did (the --json summary)."""

    files: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    bytes_read: int = 0
    bytes_decoded: int = 0
    events: int = 0
    events_written: int = 0
    statements: int = 0
    statements_written: int = 0
    duplicates: int = 0
    not_mapped: int = 0
    not_mapped_by_name: dict[str, int] = field(default_factory=dict)
    xapi_skipped: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_lines: int = 0
    batches: int = 0
    chunks: int = 0  # pieces of input parsed (in this process or in workers)
    chunks_in_workers: int = 0
    seconds: float = 0.0
    events_per_s: float = 0.0
    xapi: bool = False
    workers: int = 0
    recovered: str | None = None
    compacted_partitions: int = 0
    raw_files_copied: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass
class _Unit:
    """One piece of work in input order: a chunk to parse or a ready result, plus its checkpoint."""

    checkpoint: tuple[str, dict[str, Any]] | None  # (key, record) once this unit is stored
    retired: list[str]  # record keys superseded (a short file grew)
    future: Future[parse.ChunkResult] | None = None
    result: parse.ChunkResult | None = None
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    decoded: int = 0
    raw: tuple[str, bytes] | None = None  # (source URL, lines) to copy to the lake


def _empty_result() -> parse.ChunkResult:
    return parse.ChunkResult(TRACKING_EVENTS.schema.empty_table(), XAPI_EVENTS_ALL.schema.empty_table(), [])


class _Batch:
    def __init__(self) -> None:
        self.tracking: list[pa.Table] = []
        self.xapi: list[pa.Table] = []
        self.quarantine: list[dict[str, Any]] = []
        self.checkpoints: dict[str, dict[str, Any] | None] = {}
        self.raw: dict[str, list[bytes]] = {}
        self.events = 0
        self.bytes = 0

    def empty(self) -> bool:
        return not (self.tracking or self.xapi or self.quarantine or self.checkpoints or self.raw)


class TrackingLogIngest:
    """One ingest run over a list of sources for the configured LMS site."""

    def __init__(
        self,
        settings: Settings,
        store: StateStore,
        sources: list[str] | None = None,
        workers: int | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sources = list(sources if sources is not None else settings.tracking_logs.paths)
        self.host = settings.site.host
        self.scope = f"{STAGE}:{self.host}:files"
        self.storage = LakeStorage(settings.lake_root, settings.lake.s3)
        self.writer = LakeWriter(self.storage, store, settings.lake.prefix, self.host, f"{STAGE}:{self.host}")
        self.workers = workers
        self.summary = IngestSummary()
        self._not_mapped: Counter[str] = Counter()
        self._reasons: Counter[str] = Counter()
        self._skipped: Counter[str] = Counter()
        self._bar: ProgressReporter | None = None
        self._stager = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lake-stage")
        self._staging: tuple[Plan, Future[None]] | None = None
        # about a quarter of a batch per chunk (~1 KB per event), so batches end close to batch_rows
        self._chunk = max(64 * 1024, min(CHUNK_BYTES, settings.tracking_logs.batch_rows * 256))

    # -- reading ---------------------------------------------------------------------------

    def _on_read(self, n: int) -> None:
        self.summary.bytes_read += n
        if self._bar is not None:
            self._bar.advance(n)

    def _units(
        self, files: list[SourceFile], index: FileIndex, pool: ProcessPoolExecutor | None
    ) -> Iterator[_Unit]:
        pii = self.settings.privacy.pii
        copy_raw = self.settings.tracking_logs.copy_raw
        for sf in files:
            if index.unchanged(sf):
                self.summary.files_unchanged += 1
                continue
            if sf.size == 0:
                continue
            dec = DecodedFile(sf, self._on_read)
            try:
                head = dec.head()
                if not head:
                    continue
                retired: list[str] = []
                rec = index.match(sf, head)
                if rec is None:
                    rec = new_record(sf, head)
                    index.add(rec)
                elif rec.fp_len < len(head):
                    grown = rekeyed(rec, sf, head)
                    index.remove(rec)
                    index.add(grown)
                    retired.append(rec.key)
                    rec = grown
                compressed = dec.compression is not None
                if (compressed and rec.complete) or (not compressed and sf.size <= rec.offset):
                    rec.mark_seen(sf)
                    index.add(rec)
                    self.summary.files_unchanged += 1
                    yield _Unit((rec.key, rec.to_json()), retired)
                    continue
                self.summary.files_read += 1
                if rec.offset:
                    log.info("%s: resuming at byte %d (line %d)", sf.url, rec.offset, rec.line)
                blocks = dec.blocks(rec.offset)
                for item in chunks(blocks, rec.offset, rec.line, final=compressed, chunk_bytes=self._chunk):
                    if isinstance(item, Chunk):
                        rec.offset, rec.line = item.end_offset, item.end_line
                        unit = _Unit((rec.key, rec.to_json()), retired, decoded=len(item.data))
                        if copy_raw:
                            unit.raw = (sf.url, item.data)
                        args = (item.data, item.offset, item.line, sf.url, pii, MAX_LINE)
                        self.summary.chunks += 1
                        if pool is not None:
                            unit.future = pool.submit(parse.parse_chunk, *args)
                            self.summary.chunks_in_workers += 1
                        else:
                            unit.result = parse.parse_chunk(*args)
                    elif isinstance(item, BadRegion):
                        rec.offset, rec.line = item.end_offset, item.end_line
                        unit = _Unit((rec.key, rec.to_json()), retired, decoded=item.size)
                        unit.quarantine.append(
                            parse.quarantine_row(
                                sf.url,
                                item.offset,
                                item.line,
                                "read",
                                item.reason,
                                item.head,
                                item.size,
                                pii=pii,
                            )
                        )
                    else:
                        assert isinstance(item, End)
                        rec.offset, rec.line = item.end_offset, item.end_line
                        rec.complete = rec.complete or item.complete
                        if item.complete or item.end_offset >= sf.size:
                            rec.mark_seen(sf)
                        index.add(rec)
                        unit = _Unit((rec.key, rec.to_json()), retired)
                    retired = []
                    yield unit
            finally:
                dec.close()

    # -- running ---------------------------------------------------------------------------

    def run(self) -> IngestSummary:
        """Ingest everything new in the sources; return the summary."""
        started = time.monotonic()
        parse.use_returning_allocator()
        self.summary.recovered = self.writer.recover()
        files = resolve_sources(self.sources, self.settings.tracking_logs.glob, self.settings.lake.s3)
        self.summary.files = len(files)
        index = FileIndex(self.store.checkpoints(self.scope))
        todo = [sf for sf in files if not index.unchanged(sf)]
        total = sum(sf.size for sf in todo)
        workers = self.workers
        if workers is None:
            workers = (os.cpu_count() or 1) if total >= PARALLEL_MIN_BYTES else 0
        self.summary.workers = workers
        if todo:  # the transformer here too: it parses every chunk when there are no workers
            parse.init_worker(self.settings)
            self.summary.xapi = parse.transformer() is not None
        else:
            self.summary.xapi = importlib.util.find_spec("learnlake.xapi") is not None
        pool: ProcessPoolExecutor | None = None
        if workers > 0:
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=parse.init_worker,
                initargs=(self.settings,),
            )
        if todo:
            parse.parse_chunk(b"", 0, 0, "", False, MAX_LINE)  # warm up: pyarrow's lazy imports
        log.info("ingest: %d files, %d new or changed (%d bytes)", len(files), len(todo), total)
        try:
            with progress("ingest tracking logs", total=total or None, unit="B") as bar:
                self._bar = bar
                self._pump(self._units(files, index, pool), max(2, 4 * workers))
        finally:
            self._bar = None
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        if self.writer.touched:
            from learnlake.lake.compact import compact

            done = compact(
                self.storage, self.settings.lake.prefix, AUTO_COMPACT_FILES, only=self.writer.touched
            )
            self.summary.compacted_partitions = done.partitions
        s = self.summary
        s.seconds = round(time.monotonic() - started, 3)
        s.events_per_s = round(s.events / s.seconds, 1) if s.seconds > 0 else 0.0
        s.not_mapped_by_name = dict(self._not_mapped.most_common())
        s.not_mapped = sum(self._not_mapped.values())
        s.xapi_skipped = dict(self._skipped)
        s.quarantined_by_reason = dict(self._reasons.most_common())
        return s

    def _pump(self, units: Iterator[_Unit], window: int) -> None:
        inflight: deque[_Unit] = deque()
        batch = _Batch()
        limit = self.settings.tracking_logs.batch_rows
        try:
            for unit in units:
                inflight.append(unit)
                while inflight and (len(inflight) > window or _ready(inflight[0])):
                    batch = self._take(inflight.popleft(), batch, limit)
            while inflight:
                batch = self._take(inflight.popleft(), batch, limit)
            if not batch.empty():
                self._flush(batch)
            self._complete_staging()
        finally:
            self._stager.shutdown(wait=True)

    def _take(self, unit: _Unit, batch: _Batch, limit: int) -> _Batch:
        result = unit.result
        if unit.future is not None:
            result = unit.future.result()
        if result is not None:
            batch.tracking.append(result.tracking)
            if result.xapi.num_rows:
                batch.xapi.append(result.xapi)
            batch.quarantine.extend(result.quarantine)
            batch.events += result.events
            self.summary.events += result.events
            self.summary.statements += result.statements
            self.summary.skipped_lines += result.skipped
            self._not_mapped.update(result.not_mapped)
            self._skipped.update(result.xapi_skipped)
        batch.quarantine.extend(unit.quarantine)
        if unit.raw is not None:
            batch.raw.setdefault(unit.raw[0], []).append(unit.raw[1])
        self.summary.bytes_decoded += unit.decoded
        for key in unit.retired:
            batch.checkpoints[key] = None
        if unit.checkpoint is not None:
            key, value = unit.checkpoint
            batch.checkpoints[key] = value
        batch.bytes += unit.decoded
        if batch.events >= limit or len(batch.quarantine) >= limit or batch.bytes >= BATCH_BYTES:
            self._flush(batch)
            return _Batch()
        return batch

    def _flush(self, batch: _Batch) -> None:
        """Prepare a batch and stage its files in the background; the previous one is committed first."""
        self._complete_staging()
        tables: dict[str, pa.Table] = {}
        if batch.tracking:
            tables[TRACKING_EVENTS.name] = pa.concat_tables(batch.tracking)
        if batch.xapi:
            tables[XAPI_EVENTS_ALL.name] = pa.concat_tables(batch.xapi)
        if batch.quarantine:
            tables[QUARANTINE.name] = parse.quarantine_table(batch.quarantine)
        checkpoints = [(self.scope, k, v) for k, v in batch.checkpoints.items()]
        raw = {self._raw_copy_path(url): parts for url, parts in batch.raw.items()}
        plan = self.writer.prepare(tables, checkpoints, raw)
        self._staging = (plan, self._stager.submit(self.writer.stage, plan))
        s = self.summary
        s.batches += 1
        s.raw_files_copied += len(raw)
        s.quarantined += len(batch.quarantine)
        for row in batch.quarantine:
            self._reasons[_reason_class(row["reason"])] += 1

    def _raw_copy_path(self, url: str) -> str:
        """Where a batch's lines of one source file are copied: Panorama's (Fluent Bit's) layout,
        dated by the time of the copy, named after the source file."""
        now = dt.datetime.now(dt.UTC)
        name = url.rstrip("/").rsplit("/", 1)[-1]
        for suffix in _COMPRESSION_SUFFIXES:
            name = name.removesuffix(suffix)
        folder = f"{table_path(self.settings.lake.prefix, RAW_COPY_TABLE)}/lms={self.host}"
        day = f"year={now:%Y}/month={now:%m}/day={now:%d}"
        return f"{folder}/{day}/{name}-{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.gz"

    def _complete_staging(self) -> None:
        """Wait for the batch being written and commit it (journal, publish, checkpoints)."""
        if self._staging is None:
            return
        plan, future = self._staging
        self._staging = None
        future.result()
        result = self.writer.finish(plan)
        s = self.summary
        s.events_written += result.rows.get(TRACKING_EVENTS.name, 0)
        s.statements_written += result.rows.get(XAPI_EVENTS_ALL.name, 0)
        s.duplicates += result.duplicates.get(TRACKING_EVENTS.name, 0)


def _ready(unit: _Unit) -> bool:
    """Whether a unit's result can be taken without waiting."""
    return unit.future is None or unit.future.done()


def _reason_class(reason: str) -> str:
    """Group quarantine reasons for the summary (drop positions and parser details)."""
    for prefix in ("invalid UTF-8", "invalid JSON", "truncated", "corrupt", "line longer", "xAPI"):
        if reason.startswith(prefix):
            return reason.split(":", 1)[0] if prefix != "invalid UTF-8" else "invalid UTF-8"
    return reason


def ingest_tracking_logs(
    settings: Settings,
    store: StateStore,
    sources: list[str] | None = None,
    counters: RunCounters | None = None,
    workers: int | None = None,
) -> IngestSummary:
    """Run one ingest (the caller holds the batch lock) and fill the run counters."""
    summary = TrackingLogIngest(settings, store, sources, workers).run()
    if counters is not None:
        counters.rows_in = summary.events + summary.quarantined
        counters.rows_out = summary.events_written + summary.statements_written
        counters.quarantined = summary.quarantined
        counters.message = human_summary(summary)
    return summary


def human_summary(s: IngestSummary) -> str:
    """One paragraph for people."""
    mb = s.bytes_read / 1e6
    lines = [
        f"{s.files} files ({s.files_read} read, {s.files_unchanged} unchanged), {mb:,.1f} MB read, "
        f"{s.events:,} events ({s.events_written:,} new), {s.statements:,} xAPI statements "
        f"({s.statements_written:,} new), {s.not_mapped:,} not mapped to xAPI, "
        f"{s.quarantined:,} quarantined, "
        f"{s.seconds:.1f}s ({s.events_per_s:,.0f} events/s)",
    ]
    if not s.xapi:
        lines.append("xAPI transformer not available: raw events stored, statements to be filled by replay")
    if s.not_mapped_by_name:
        top = list(s.not_mapped_by_name.items())
        shown = ", ".join(f"{n:,} {name}" for name, n in top[:NOT_MAPPED_SHOWN])
        more = f" and {len(top) - NOT_MAPPED_SHOWN:,} more event names" if len(top) > NOT_MAPPED_SHOWN else ""
        lines.append(f"kept in tracking_events without xAPI mapping: {shown}{more}")
    if s.quarantined_by_reason:
        lines.append("quarantined: " + ", ".join(f"{n:,} {r}" for r, n in s.quarantined_by_reason.items()))
    if s.raw_files_copied:
        lines.append(f"raw log copy: {s.raw_files_copied:,} files written to the lake")
    if s.recovered:
        lines.append(f"recovered an interrupted run: {s.recovered}")
    return "\n".join(lines)
