"""Lake layout and table schemas: where each table's files go and what columns they hold.

`<root>/<prefix>/<table>/lms=<host>/[date=<YYYY-MM-DD>/]<file>.parquet` (Hive partitions), so Athena,
Spark, DuckDB or pandas read the lake without learnlake. The partition columns are not stored inside
the files; readers get them from the folder names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """One lake table: its columns, its unique key and whether it is partitioned by date."""

    name: str
    schema: pa.Schema
    key: str
    time_column: str | None  # the date partition comes from this column (UTC); None: no date partition


TRACKING_EVENTS = TableSpec(
    "tracking_events",
    pa.schema(
        [
            ("event_key", pa.string()),  # md5 of the event's JSON text: the dedup key
            ("time", TS),
            ("name", pa.string()),
            ("event_type", pa.string()),
            ("event_source", pa.string()),
            ("user_id", pa.int64()),
            ("username", pa.string()),  # only when privacy.pii is true
            ("course_id", pa.string()),
            ("org", pa.string()),
            ("session", pa.string()),
            ("host", pa.string()),
            ("page_host", pa.string()),
            ("referer_host", pa.string()),
            ("ip", pa.string()),  # only when privacy.pii is true
            ("raw", pa.string()),  # the event JSON (PII keys removed unless privacy.pii)
        ]
    ),
    key="event_key",
    time_column="time",
)

XAPI_EVENTS_ALL = TableSpec(
    "xapi_events_all",
    pa.schema(
        [
            ("event_id", pa.string()),
            ("emission_time", TS),
            ("actor_id", pa.string()),
            ("verb_id", pa.string()),
            ("object_id", pa.string()),
            ("course_id", pa.string()),
            ("course_key", pa.string()),
            ("org", pa.string()),
            ("event", pa.string()),
            ("source_event_key", pa.string()),  # tracking_events.event_key it came from (lineage)
        ]
    ),
    key="event_id",
    time_column="emission_time",
)

QUARANTINE = TableSpec(
    "quarantine",
    pa.schema(
        [
            ("quarantine_id", pa.string()),
            ("source", pa.string()),
            ("byte_offset", pa.int64()),  # byte offset of the line in the (decompressed) file
            ("line_number", pa.int64()),  # 1-based line number, when known
            ("stage", pa.string()),  # read | parse | xapi
            ("reason", pa.string()),
            ("event_name", pa.string()),
            ("raw", pa.binary()),  # at most RAW_LIMIT bytes of the input
            ("raw_size", pa.int64()),  # size of the whole input
            ("quarantined_at", TS),
        ]
    ),
    key="quarantine_id",
    time_column=None,
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (TRACKING_EVENTS, XAPI_EVENTS_ALL, QUARANTINE)}

# LMS entities (Aspects' event-sink names), one file per course replaced whole on each load, so they
# are queryable like the tables above but never compacted.
COURSE_OVERVIEWS_SCHEMA = pa.schema(
    [
        ("org", pa.string()),
        ("course_key", pa.string()),
        ("display_name", pa.string()),
        ("course_start", pa.string()),
        ("course_end", pa.string()),
        ("enrollment_start", pa.string()),
        ("enrollment_end", pa.string()),
        ("self_paced", pa.bool_()),
        ("course_data_json", pa.string()),
        ("created", pa.string()),
        ("modified", pa.string()),
        ("block_count", pa.int64()),
    ]
)
COURSE_BLOCKS_SCHEMA = pa.schema(
    [
        ("org", pa.string()),
        ("course_key", pa.string()),
        ("location", pa.string()),
        ("display_name", pa.string()),
        ("block_type", pa.string()),
        ("graded", pa.bool_()),
        ("order", pa.int32()),
        ("section", pa.int32()),
        ("subsection", pa.int32()),
        ("unit", pa.int32()),
        ("section_number", pa.string()),
        ("subsection_number", pa.string()),
        ("hierarchy_location", pa.string()),
        ("display_name_with_location", pa.string()),
        ("xblock_data_json", pa.string()),
    ]
)

COURSE_OVERVIEWS = TableSpec("course_overviews", COURSE_OVERVIEWS_SCHEMA, key="course_key", time_column=None)
COURSE_BLOCKS = TableSpec("course_blocks", COURSE_BLOCKS_SCHEMA, key="location", time_column=None)
ENTITY_TABLES: dict[str, TableSpec] = {t.name: t for t in (COURSE_OVERVIEWS, COURSE_BLOCKS)}
QUERYABLE_TABLES: dict[str, TableSpec] = {**TABLES, **ENTITY_TABLES}

RAW_LIMIT = 64 * 1024


def table_path(prefix: str, table: str) -> str:
    """Relative folder of a table below the lake root."""
    return f"{prefix.strip('/')}/{table}" if prefix.strip("/") else table


def partition_path(prefix: str, table: str, lms: str, date: str | None) -> str:
    """Relative folder of one partition."""
    base = f"{table_path(prefix, table)}/lms={lms}"
    return f"{base}/date={date}" if date else base


def file_glob(spec: TableSpec) -> str:
    """Glob of a table's data files below the table folder."""
    return "lms=*/date=*/*.parquet" if spec.time_column else "lms=*/*.parquet"
