"""Replay: re-derive `xapi_events_all` from the raw events in `tracking_events`.

After a transformer upgrade (or when ingest ran before the transformer existed), every day since
a date is transformed again from the stored raw JSON, and the day's xAPI partition is swapped for
the new one atomically (see `learnlake.lake.compact.replace_partition`). Statements that did not
come from tracking logs (LRS, event bus: no source_event_key) are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from learnlake.config import Settings
from learnlake.ingest import parse
from learnlake.ingest.reader import MAX_LINE
from learnlake.lake.compact import cleanup, partitions_of, replace_partition
from learnlake.lake.layout import TRACKING_EVENTS, XAPI_EVENTS_ALL, partition_path
from learnlake.lake.storage import LakeStorage
from learnlake.lake.writer import _first_occurrences

log = logging.getLogger(__name__)

READ_ROWS = 20_000


@dataclass
class ReplaySummary:
    """What a replay did."""

    days: int = 0
    events: int = 0
    statements: int = 0
    not_mapped: int = 0
    rejected: int = 0
    kept_other: int = 0
    dates: list[str] = field(default_factory=list)


def replay(settings: Settings, since: dt.date | None = None, until: dt.date | None = None) -> ReplaySummary:
    """Rebuild xapi_events_all for the configured site from tracking_events (caller holds the lock)."""
    parse.init_worker(settings)
    if parse.transformer() is None:
        raise RuntimeError("the xAPI transformer (learnlake.xapi) is not installed: nothing to replay with")
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    prefix, host = settings.lake.prefix, settings.site.host
    cleanup(storage, prefix)
    summary = ReplaySummary()
    for part in partitions_of(storage, prefix, TRACKING_EVENTS):
        _base, lms, date_part = part.rsplit("/", 2)
        if lms != f"lms={host}":
            continue
        day = dt.date.fromisoformat(date_part.split("=", 1)[1])
        if (since and day < since) or (until and day > until):
            continue
        tables: list[pa.Table] = []
        for name in storage.list_files(part):
            pf = pq.ParquetFile(storage.path(f"{part}/{name}"), filesystem=storage.arrow_fs)
            for batch in pf.iter_batches(batch_size=READ_ROWS, columns=["event_key", "raw"]):
                tables.append(_transform(batch, summary))
        new = _first_occurrences(pa.concat_tables(tables), "event_id") if tables else None
        target = partition_path(prefix, XAPI_EVENTS_ALL.name, host, day.isoformat())
        kept = _other_statements(storage, target)
        summary.kept_other += kept.num_rows if kept is not None else 0
        parts = [t for t in (kept, new) if t is not None and t.num_rows]
        content = pa.concat_tables(parts) if parts else XAPI_EVENTS_ALL.schema.empty_table()
        if content.num_rows:
            dates = pc.cast(content.column("emission_time"), pa.date32())
            other_day = pc.not_equal(dates, pa.scalar(day, pa.date32()))
            if pc.any(other_day).as_py():
                log.warning("%s: %d statements dated another day are kept here", part, pc.sum(other_day))
        replace_partition(storage, target, content.sort_by([("emission_time", "ascending")]), None)
        summary.days += 1
        summary.dates.append(day.isoformat())
    return summary


def _transform(batch: pa.RecordBatch, summary: ReplaySummary) -> pa.Table:
    raws = batch.column("raw").to_pylist()
    keys = batch.column("event_key").to_pylist()
    data = "\n".join(raws).encode()
    result = parse.parse_chunk(data, 0, 0, "replay", True, MAX_LINE)
    summary.events += result.events
    summary.statements += result.statements
    summary.not_mapped += sum(result.not_mapped.values())
    summary.rejected += len(result.quarantine)
    xapi = result.xapi
    if not xapi.num_rows:
        return xapi
    # the stored JSON may be the privacy-scrubbed text: map its hash back to the original event key
    original = {
        hashlib.md5(r.encode(), usedforsecurity=False).hexdigest(): k for r, k in zip(raws, keys, strict=True)
    }
    sources = [original.get(k, k) for k in xapi.column("source_event_key").to_pylist()]
    idx = xapi.schema.get_field_index("source_event_key")
    return xapi.set_column(idx, "source_event_key", pa.array(sources, pa.string()))


def _other_statements(storage: LakeStorage, part: str) -> pa.Table | None:
    """Statements of a partition that did not come from tracking logs (kept by a replay)."""
    files = storage.list_files(part)
    if not files:
        return None
    table = pa.concat_tables([storage.read_table(f"{part}/{f}") for f in files], promote_options="permissive")
    return table.filter(pc.is_null(table.column("source_event_key")))
