"""Extracting SQL tables into the lake, incrementally, one table failing alone.

Per table, the state (a checkpoint per datasource and table) says what the lake holds:

- **partitioned tables** (`partition_fields`, Panorama's course_id on courseware_studentmodule):
  the partitions with rows modified since the watermark (minus `interval`) are re-read whole from
  the database and replaced atomically, as Panorama does, but from a stored watermark, so a missed
  run loses nothing;
- **tables with a timestamp** and no partition: the changed rows are upserted by primary key into
  the table's file (old file streamed through a key filter, changed rows appended, file replaced);
- **tables without a timestamp**: reloaded whole when their checksum (MySQL `CHECKSUM TABLE`)
  changed, skipped otherwise.

Deletions: every `extract.delete_check_hours`, partitioned tables compare per-partition row counts
with the database (re-reading differing partitions, dropping vanished ones) and timestamp tables
compare their row count, then drop the keys the database no longer has (primary-key diff).
A change of columns, types, layout or formats reloads the table whole (`--full` forces it).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from learnlake.config import Settings
from learnlake.config.settings import DatasourceSettings, TableSettings
from learnlake.extract.plan import TablePlan, configured_tables, plan_table, select_sql, wire_fields
from learnlake.extract.sources import Source, is_transient, open_source
from learnlake.extract.types import csv_array, to_typed
from learnlake.extract.writer import (
    PartitionWriter,
    delete_partition,
    key_array,
    partition_dir,
    read_csv_batches,
    read_parquet_batches,
)
from learnlake.lake.storage import LakeStorage
from learnlake.state import RunCounters, StateStore

log = logging.getLogger(__name__)
SCOPE = "extract"
SQL_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
MAX_OPEN_PARTITIONS = 200


@dataclass
class TableResult:
    """What happened to one table."""

    datasource: str
    table: str
    status: str  # loaded | incremental | skipped | failed
    rows: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class ExtractReport:
    """All tables of one extraction."""

    tables: list[TableResult] = field(default_factory=list)

    @property
    def failed(self) -> list[TableResult]:
        """Tables that failed."""
        return [t for t in self.tables if t.status == "failed"]

    @property
    def rows(self) -> int:
        """Rows written."""
        return sum(t.rows for t in self.tables)


class _Context:
    """What every table of a datasource shares."""

    def __init__(self, settings: Settings, ds: DatasourceSettings, source: Source, store: StateStore) -> None:
        self.settings = settings
        self.ds = ds
        self.source = source
        self.store = store
        self.storage = LakeStorage(settings.lake_root, settings.lake.s3)
        self.formats: list[str] = list(dict.fromkeys(settings.lake.formats))
        self.batch_rows = settings.extract.batch_rows
        self.scope = f"{SCOPE}:{ds.name}"


def sql_datasources(settings: Settings, only: str | None = None) -> list[DatasourceSettings]:
    """The SQL datasources (mysql, postgresql, sqlite) of the settings, optionally one by name."""
    found = [d for d in settings.extract.datasources if d.type in ("mysql", "postgresql", "sqlite") and d.url]
    if only is not None:
        found = [d for d in found if d.name == only]
    return found


def extract(
    settings: Settings,
    store: StateStore,
    datasource: str | None = None,
    tables: list[str] | None = None,
    full: bool = False,
    counters: RunCounters | None = None,
) -> ExtractReport:
    """Extract every configured SQL table into the lake; a failing table does not stop the others."""
    report = ExtractReport()
    for ds in sql_datasources(settings, datasource):
        try:
            source = _connect(ds, settings.extract.retries)
        except Exception as exc:
            report.tables.append(TableResult(ds.name, "*", "failed", error=_describe(exc)))
            continue
        try:
            ctx = _Context(settings, ds, source, store)
            for table in configured_tables(ds, source):
                if tables and table.name not in tables and (table.lake_name or table.name) not in tables:
                    continue
                report.tables.append(_extract_one(ctx, table, full))
        finally:
            source.close()
    if counters is not None:
        counters.inputs = [f"{t.datasource}.{t.table}" for t in report.tables if t.status != "skipped"]
        counters.rows_in += report.rows
        counters.rows_out += report.rows
        if report.failed:
            counters.message = "failed: " + "; ".join(
                f"{t.datasource}.{t.table}: {t.error}" for t in report.failed
            )
            counters.message = counters.message[:4000]
    return report


def _connect(ds: DatasourceSettings, attempts: int) -> Source:
    @retry(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.5, max=8),
        reraise=True,
    )
    def go() -> Source:
        return open_source(ds)

    return go()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")[:500]


def _extract_one(ctx: _Context, table: TableSettings, full: bool) -> TableResult:
    started = time.monotonic()
    result = TableResult(ctx.ds.name, table.name, "skipped")
    attempts: list[int] = []

    @retry(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(ctx.settings.extract.retries),
        wait=wait_exponential(multiplier=0.5, max=8),
        reraise=True,
    )
    def go() -> None:
        attempts.append(1)
        if len(attempts) > 1:
            ctx.source.ping()
        plan = plan_table(table, ctx.source, ctx.settings.privacy.pii)
        result.table = plan.lake_name
        status, rows = _run_plan(ctx, plan, full)
        result.status, result.rows = status, rows

    try:
        go()
    except Exception as exc:  # one table's failure is reported, the others still load
        log.warning("extract %s.%s failed: %s", ctx.ds.name, table.name, _describe(exc))
        result.status, result.error = "failed", _describe(exc)
    result.seconds = round(time.monotonic() - started, 3)
    if result.status != "skipped":
        log.info("extract %s.%s: %s, %d rows", ctx.ds.name, result.table, result.status, result.rows)
    return result


# -- dispatch -----------------------------------------------------------------------------------


def _run_plan(ctx: _Context, plan: TablePlan, full: bool) -> tuple[str, int]:
    state: dict[str, Any] = ctx.store.get_checkpoint(ctx.scope, plan.lake_name) or {}
    signature = plan.signature(ctx.formats)
    fresh = full or state.get("signature") != signature or not _files_present(ctx, state)
    if fresh:  # the old partition list is kept so that vanished partitions are removed
        state = {"signature": signature, "partitions": state.get("partitions") or {}}
    if plan.partition_fields:
        status, rows = _partitioned(ctx, plan, state, fresh)
    elif plan.timestamp_field:
        status, rows = _timestamped(ctx, plan, state, fresh)
    else:
        status, rows = _checksummed(ctx, plan, state, fresh)
    ctx.store.set_checkpoint(ctx.scope, plan.lake_name, state)
    return status, rows


def _files_present(ctx: _Context, state: dict[str, Any]) -> bool:
    probe = state.get("probe")
    if probe is None and "partitions" in state and not state["partitions"] and "rows" in state:
        return True  # a partitioned table that was empty has no files
    return isinstance(probe, str) and ctx.storage.exists(probe)


def _delete_check_due(ctx: _Context, state: dict[str, Any]) -> bool:
    hours = ctx.settings.extract.delete_check_hours
    last = state.get("deletes_checked_at")
    if not last:
        return True
    age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(last)
    return age >= dt.timedelta(hours=hours)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _max_ts(ctx: _Context, plan: TablePlan) -> str | None:
    assert plan.timestamp_field
    src = ctx.source
    expr = src.cast_text(f"MAX({src.quote(plan.timestamp_field)})")
    rows = src.query(f"SELECT {expr} FROM {src.quote(plan.source_table)}")
    return None if not rows or rows[0][0] is None else str(rows[0][0])


def _lower_bound(plan: TablePlan, watermark: str) -> str:
    if not plan.overlap:
        return watermark
    try:
        moment = dt.datetime.fromisoformat(watermark.replace("Z", "+00:00"))
    except ValueError:
        return watermark
    return (moment - plan.overlap).strftime(SQL_DATETIME)


# -- reading ------------------------------------------------------------------------------------


def _convert(ctx: _Context, plan: TablePlan, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, Any]:
    """The (Parquet, CSV) forms of a read batch's data columns."""
    data = plan.data_columns
    typed = [to_typed(batch.column(c.name), c.type) for c in data]
    texts = [csv_array(batch.column(c.name), c.type) for c in data] if "csv" in ctx.formats else None
    return (
        pa.RecordBatch.from_arrays(typed, schema=plan.parquet_schema()),
        pa.RecordBatch.from_arrays(texts, schema=plan.csv_schema()) if texts is not None else None,
    )


def _batches(ctx: _Context, plan: TablePlan, where: str) -> Iterator[tuple[pa.RecordBatch, Any]]:
    """(Parquet batch, CSV batch) pairs of a query over the plan's data columns."""
    sql = select_sql(plan, ctx.source, where)
    for batch in ctx.source.stream(sql, wire_fields(plan), ctx.batch_rows):
        yield _convert(ctx, plan, batch)


def _write_all_partitions(ctx: _Context, plan: TablePlan) -> tuple[dict[str, int], str | None]:
    """One scan of the whole table routed into every partition's files (a full load).

    One sequential scan instead of one query per partition value: each partition query would scan
    (or index-walk) the table again. Every partition's writer stays open until the scan ends, and
    all are published together.
    """
    writers: dict[str, tuple[PartitionWriter, list[Any]]] = {}
    sql = select_sql(plan, ctx.source)
    try:
        for batch in ctx.source.stream(sql, wire_fields(plan), ctx.batch_rows):
            parts = [batch.column(name) for name in plan.partition_fields]
            key = (
                parts[0]
                if len(parts) == 1
                else pc.binary_join_element_wise(*[pc.cast(p, pa.string()) for p in parts], "\x1f")
            )
            encoded = key.dictionary_encode(null_encoding="encode")
            for i in range(len(encoded.dictionary)):
                sub = batch.filter(pc.equal(encoded.indices, i))
                if not sub.num_rows:
                    continue
                values = [sub.column(name)[0].as_py() for name in plan.partition_fields]
                pkey = _pkey(values)
                if pkey not in writers:
                    if len(writers) >= MAX_OPEN_PARTITIONS:
                        raise _TooManyPartitions()
                    rel_dir = partition_dir(
                        ctx.settings.lake.prefix,
                        plan.lake_name,
                        ctx.settings.site.host,
                        plan.partition_fields,
                        values,
                    )
                    writers[pkey] = (_writer(ctx, plan, rel_dir), values)
                typed, text = _convert(ctx, plan, sub)
                writers[pkey][0].write(typed, text)
        probe = None
        for writer, _ in writers.values():
            probe = writer.commit()[0]
    except BaseException:
        for writer, _ in writers.values():
            writer.abort()
        raise
    return {k: w.rows for k, (w, _) in writers.items()}, probe


class _TooManyPartitions(Exception):
    """More partitions than files kept open at once: fall back to one query per partition."""


def _writer(ctx: _Context, plan: TablePlan, rel_dir: str) -> PartitionWriter:
    return PartitionWriter(
        ctx.storage,
        rel_dir,
        plan.lake_name,
        plan.parquet_schema() if "parquet" in ctx.formats else None,
        plan.csv_schema() if "csv" in ctx.formats else None,
    )


def _write_partition(ctx: _Context, plan: TablePlan, values: list[Any], where: str) -> tuple[int, str]:
    rel_dir = partition_dir(
        ctx.settings.lake.prefix, plan.lake_name, ctx.settings.site.host, plan.partition_fields, values
    )
    writer = _writer(ctx, plan, rel_dir)
    try:
        for typed, text in _batches(ctx, plan, where):
            writer.write(typed, text)
        files = writer.commit()
    except BaseException:
        writer.abort()
        raise
    return writer.rows, files[0]


def _partition_where(ctx: _Context, plan: TablePlan, values: list[Any]) -> str:
    src = ctx.source
    parts = []
    for name, value in zip(plan.partition_fields, values, strict=True):
        col = next(c for c in plan.columns if c.name == name)
        if col.source is None:
            continue
        q = src.quote(col.source)
        parts.append(f"{q} IS NULL" if value is None else f"{q} = {src.literal(value)}")
    return " AND ".join(parts)


def _partition_sources(plan: TablePlan) -> list[str]:
    out = []
    for name in plan.partition_fields:
        col = next(c for c in plan.columns if c.name == name)
        if col.source is None:
            raise ValueError(f"partition field {name} is a constant")
        out.append(col.source)
    return out


# -- partitioned tables -------------------------------------------------------------------------


def _pkey(values: list[Any]) -> str:
    return orjson.dumps(values, default=str).decode()


def _partitioned(ctx: _Context, plan: TablePlan, state: dict[str, Any], fresh: bool) -> tuple[str, int]:
    src = ctx.source
    cols = ", ".join(src.quote(c) for c in _partition_sources(plan))
    table = src.quote(plan.source_table)
    watermark = _max_ts(ctx, plan) if plan.timestamp_field else None
    partitions: dict[str, int] = dict(state.get("partitions") or {})
    rows = 0
    due = _delete_check_due(ctx, state)
    if fresh:
        todo = [list(r) for r in src.query(f"SELECT DISTINCT {cols} FROM {table}")]
        stale = set(partitions) - {_pkey(v) for v in todo}
        status = "loaded"
    elif plan.timestamp_field and watermark == state.get("watermark") and not due:
        return "skipped", 0
    else:
        todo, stale = [], set()
        if plan.timestamp_field and state.get("watermark") is None and watermark is not None:
            todo = [list(r) for r in src.query(f"SELECT DISTINCT {cols} FROM {table}")]  # was empty
        elif plan.timestamp_field and watermark != state.get("watermark"):
            lower = _lower_bound(plan, state["watermark"])
            ts = src.quote(plan.timestamp_field)
            todo = [
                list(r)
                for r in src.query(f"SELECT DISTINCT {cols} FROM {table} WHERE {ts} >= {src.literal(lower)}")
            ]
        elif not plan.timestamp_field:
            checksum = src.checksum(plan.source_table)
            if checksum == state.get("checksum") and not due:
                return "skipped", 0
            state["checksum"] = checksum  # changed: every partition is re-read, vanished ones dropped
            todo = [list(r) for r in src.query(f"SELECT DISTINCT {cols} FROM {table}")]
            due = True
        if due:
            counts = {
                _pkey(list(r[:-1])): int(r[-1])
                for r in src.query(f"SELECT {cols}, COUNT(*) FROM {table} GROUP BY {cols}")
            }
            todo_keys = {_pkey(v) for v in todo}
            for key, n in counts.items():
                if partitions.get(key) != n and key not in todo_keys:
                    todo.append(orjson.loads(key))
            stale = set(partitions) - set(counts)
        status = "incremental"
    if plan.timestamp_field is None and fresh:
        state["checksum"] = src.checksum(plan.source_table)
    if fresh and 1 < len(todo) <= MAX_OPEN_PARTITIONS:
        try:
            written, probe = _write_all_partitions(ctx, plan)
        except _TooManyPartitions:
            pass
        else:
            partitions = written
            stale = set(state.get("partitions") or {}) - set(written)
            rows = sum(written.values())
            todo = []
            if probe:
                state["probe"] = probe
    for values in todo:
        n, probe = _write_partition(ctx, plan, values, _partition_where(ctx, plan, values))
        partitions[_pkey(values)] = n
        state["probe"] = probe
        rows += n
    for key in stale:
        rel_dir = partition_dir(
            ctx.settings.lake.prefix,
            plan.lake_name,
            ctx.settings.site.host,
            plan.partition_fields,
            orjson.loads(key),
        )
        delete_partition(ctx.storage, rel_dir, plan.lake_name)
        partitions.pop(key, None)
    state["partitions"] = partitions
    state["rows"] = sum(partitions.values())
    state["watermark"] = watermark
    if due or fresh:
        state["deletes_checked_at"] = _now_iso()
    if not todo and not stale and not fresh:
        return "skipped", 0
    return status, rows


# -- whole tables -------------------------------------------------------------------------------


def _single_dir(ctx: _Context, plan: TablePlan) -> str:
    return partition_dir(ctx.settings.lake.prefix, plan.lake_name, ctx.settings.site.host, [], [])


def _checksummed(ctx: _Context, plan: TablePlan, state: dict[str, Any], fresh: bool) -> tuple[str, int]:
    checksum = ctx.source.checksum(plan.source_table)
    if not fresh and checksum == state.get("checksum"):
        return "skipped", 0
    rows, probe = _write_partition(ctx, plan, [], "")
    state.update(checksum=checksum, rows=rows, probe=probe, deletes_checked_at=_now_iso())
    return "loaded", rows


def _timestamped(ctx: _Context, plan: TablePlan, state: dict[str, Any], fresh: bool) -> tuple[str, int]:
    watermark = _max_ts(ctx, plan)
    due = _delete_check_due(ctx, state)
    if fresh or "watermark" not in state:
        rows, probe = _write_partition(ctx, plan, [], "")
        state.update(watermark=watermark, rows=rows, probe=probe, deletes_checked_at=_now_iso())
        return "loaded", rows
    changed = 0
    moved = watermark != state["watermark"]
    if moved:
        lower = _lower_bound(plan, state["watermark"])
        where = f"{ctx.source.quote(plan.timestamp_field or '')} >= {ctx.source.literal(lower)}"
        changed, total = _upsert(ctx, plan, where, int(state.get("rows") or 0))
        state.update(watermark=watermark, rows=total)
    if due:
        table = ctx.source.quote(plan.source_table)
        count = int(ctx.source.query(f"SELECT COUNT(*) FROM {table}")[0][0])
        if count != state.get("rows"):
            dropped, total = _drop_deleted(ctx, plan, int(state.get("rows") or 0))
            changed += dropped
            moved = True
            state["rows"] = total
        state["deletes_checked_at"] = _now_iso()
    return ("incremental", changed) if moved else ("skipped", 0)


def _rewrite(
    ctx: _Context,
    plan: TablePlan,
    keep: Callable[[pa.Array], pa.Array],
    extra: Callable[[], Iterator[tuple[pa.RecordBatch | None, pa.RecordBatch | None]]],
) -> int:
    """Stream the published files through a key filter, append `extra`, replace them atomically."""
    rel_dir = _single_dir(ctx, plan)
    writer = _writer(ctx, plan, rel_dir)
    try:
        if "parquet" in ctx.formats:
            for batch in read_parquet_batches(
                ctx.storage, f"{rel_dir}/{plan.lake_name}.parquet", ctx.batch_rows
            ):
                batch = batch.filter(keep(key_array(batch, plan.primary_key)))
                writer.write(pa.RecordBatch.from_arrays(batch.columns, schema=plan.parquet_schema()), None)
        if "csv" in ctx.formats:
            counted = writer.rows
            for batch in read_csv_batches(ctx.storage, f"{rel_dir}/{plan.lake_name}.csv", plan.csv_schema()):
                batch = batch.filter(keep(key_array(batch, plan.primary_key)))
                writer.write(None, batch)
            if "parquet" in ctx.formats:
                writer.rows = counted
        for typed, text in extra():
            writer.write(typed, text)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return writer.rows


def _upsert(ctx: _Context, plan: TablePlan, where: str, rows_before: int) -> tuple[int, int]:
    """Changed rows replace their older versions (by primary key); returns (changed, total rows)."""
    with tempfile.TemporaryDirectory(prefix="learnlake-delta-") as tmp:
        delta_typed, delta_csv = f"{tmp}/typed.parquet", f"{tmp}/csv.parquet"
        typed_w = pq.ParquetWriter(delta_typed, plan.parquet_schema())
        csv_w = pq.ParquetWriter(delta_csv, plan.csv_schema()) if "csv" in ctx.formats else None
        changed = 0
        keys: list[pa.Array] = []
        try:
            for typed, text in _batches(ctx, plan, where):
                typed_w.write_batch(typed)
                if csv_w is not None and text is not None:
                    csv_w.write_batch(text)
                keys.append(key_array(typed, plan.primary_key))
                changed += typed.num_rows
        finally:
            typed_w.close()
            if csv_w is not None:
                csv_w.close()
        if not changed:
            return 0, rows_before
        delta_keys = pa.concat_arrays(keys)

        def keep(k: pa.Array) -> pa.Array:
            return pc.invert(pc.is_in(k, value_set=delta_keys))

        def extra() -> Iterator[tuple[pa.RecordBatch | None, pa.RecordBatch | None]]:
            typed_file = pq.ParquetFile(delta_typed)
            csv_file = pq.ParquetFile(delta_csv) if csv_w is not None else None
            csv_iter = csv_file.iter_batches(batch_size=ctx.batch_rows) if csv_file else None
            for typed in typed_file.iter_batches(batch_size=ctx.batch_rows):
                text = next(csv_iter) if csv_iter is not None else None
                yield (typed if "parquet" in ctx.formats else None), text

        total = _rewrite(ctx, plan, keep, extra)
        return changed, total


def _drop_deleted(ctx: _Context, plan: TablePlan, before: int) -> tuple[int, int]:
    """Primary-key diff: keep only the keys the database still has."""
    src = ctx.source
    key_cols = [c for c in plan.columns if c.name in plan.primary_key]
    names = ", ".join(src.quote(c.source or c.name) for c in key_cols)
    sql = f"SELECT {names} FROM {src.quote(plan.source_table)}"
    wire = [pa.field(c.name, pa.string() if c.type.as_text else c.type.arrow) for c in key_cols]
    chunks: list[pa.Array] = []
    for batch in src.stream(sql, wire, ctx.batch_rows):
        typed = pa.RecordBatch.from_arrays(
            [to_typed(batch.column(c.name), c.type) for c in key_cols], names=[c.name for c in key_cols]
        )
        chunks.append(key_array(typed, plan.primary_key))
    live = pa.concat_arrays(chunks) if chunks else pa.array([], type=wire[0].type)

    def keep(k: pa.Array) -> pa.Array:
        return pc.is_in(k, value_set=live)

    def extra() -> Iterator[tuple[pa.RecordBatch | None, pa.RecordBatch | None]]:
        return iter(())

    total = _rewrite(ctx, plan, keep, extra)
    return max(before - total, 0), total
