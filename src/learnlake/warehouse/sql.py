"""SQL of the warehouse views over the lake tables (DuckDB dialect)."""

from __future__ import annotations

import pyarrow as pa

from learnlake.lake.discover import LakeFolderTable
from learnlake.lake.layout import QUERYABLE_TABLES, TableSpec, file_glob, table_path
from learnlake.lake.storage import LakeStorage

_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.binary(): "BLOB",
    pa.bool_(): "BOOLEAN",
    pa.int32(): "INTEGER",
}

# Aspects' xapi_events_all_parsed columns (specs/aspects.md §1.2), plus the lms site.
PARSED_COLUMNS = (
    "event_id, verb_id, actor_id, object_id, course_id, course_key, org, emission_time, event, lms"
)


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    return _DUCK_TYPES[t]


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def empty_select(spec: TableSpec) -> str:
    """A typed, empty SELECT with the table's columns (for a table without files yet)."""
    cols = [f"CAST(NULL AS {_duck_type(f.type)}) AS {f.name}" for f in spec.schema]
    cols.append("CAST(NULL AS VARCHAR) AS lms")
    return "SELECT " + ", ".join(cols) + " WHERE false"


def table_select(storage: LakeStorage, prefix: str, spec: TableSpec) -> str:
    """SELECT over a table's Parquet files with its Hive partitions (lms kept, date dropped)."""
    url = storage.url(f"{table_path(prefix, spec.name)}/{file_glob(spec)}")
    hive = "{'lms': 'VARCHAR', 'date': 'DATE'}" if spec.time_column else "{'lms': 'VARCHAR'}"
    exclude = " EXCLUDE (date)" if spec.time_column else ""
    return (
        f"SELECT *{exclude} FROM read_parquet({_quote(url)}, hive_partitioning = true, "
        f"hive_types = {hive}, union_by_name = true)"
    )


def discovered_select(storage: LakeStorage, table: LakeFolderTable) -> str:
    """SELECT over every Parquet file below a discovered table folder, Hive partitions as columns.

    Partition values are typed by DuckDB (dates, numbers) except `lms`, which is always text.
    """
    url = storage.url(f"{table.rel_dir}/**/*.parquet")
    types = ", hive_types = {'lms': 'VARCHAR'}" if table.site_partitioned else ""
    return f"SELECT * FROM read_parquet({_quote(url)}, hive_partitioning = true{types}, union_by_name = true)"


def view_statements(
    storage: LakeStorage,
    prefix: str,
    present: set[str],
    discovered: dict[str, LakeFolderTable] | None = None,
) -> dict[str, str]:
    """CREATE VIEW statements of every lake table (empty typed views for tables without files).

    `discovered` maps further view names (extracted LMS tables, materialized models) to their
    folders relative to the lake root.
    """
    out: dict[str, str] = {}
    for name, spec in QUERYABLE_TABLES.items():
        body = table_select(storage, prefix, spec) if name in present else empty_select(spec)
        out[name] = f"CREATE OR REPLACE VIEW {name} AS {body}"
    out["xapi_events_all_parsed"] = (
        f"CREATE OR REPLACE VIEW xapi_events_all_parsed AS SELECT {PARSED_COLUMNS} FROM xapi_events_all"
    )
    for name, table in sorted((discovered or {}).items()):
        out[name] = f'CREATE OR REPLACE VIEW "{name}" AS {discovered_select(storage, table)}'
    return out
