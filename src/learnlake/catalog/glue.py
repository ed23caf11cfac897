"""Glue table definitions for lake tables: Parquet and CSV variants, partitions, projection, manifests.

- `<prefix>_parquet_<table>`: typed columns from the Parquet schema.
- `<prefix>_raw_<table>`: Panorama's CSV table, every column `string`, OpenCSVSerde reading RFC 4180
  (doubled quotes; no escape character, so backslashes arrive unchanged), header skipped.
- Partition keys are `lms` then the table's own partition fields, all `string`, as in Panorama.
- Tables partitioned only by `lms` (and `date`) use partition projection: no partition DDL, a new
  day is visible at once. Others get explicit partitions, added and removed in batches.
- When Parquet and CSV files share the partition folders, each variant reads a symlink manifest
  (`<prefix>/athena_manifests/<format>/<table>/<partition>/manifest`) listing only its own files.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from learnlake.catalog.lake_tables import LakeTable, Partition
from learnlake.lake.layout import table_path
from learnlake.lake.storage import LakeStorage

PROJECTABLE_KEYS = frozenset({"lms", "date"})
MANIFESTS_DIR = "athena_manifests"
PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}
CSV_FORMAT = {
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        # escapeChar NUL: none, so a backslash in the data is read as itself (Panorama's `\` doubled them)
        "Parameters": {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\u0000"},
    },
}
SYMLINK_INPUT = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat"


def glue_name(text: str) -> str:
    """A Glue/Athena identifier: lower case, letters, digits and underscores."""
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


def table_names(prefix: str, table: str) -> dict[str, str]:
    """Names of a lake table's catalog objects: parquet and csv tables, and the typed view."""
    base = glue_name(prefix.strip("/")) if prefix.strip("/") else "lake"
    name = glue_name(table)
    return {"parquet": f"{base}_parquet_{name}", "csv": f"{base}_raw_{name}", "view": f"{base}_table_{name}"}


def s3_url(storage: LakeStorage, rel: str) -> str:
    """s3://bucket/path/ of a folder relative to the lake root."""
    return f"s3://{storage.path(rel).rstrip('/')}/"


def data_location(storage: LakeStorage, prefix: str, table: LakeTable, fmt: str, rel_dir: str | None) -> str:
    """Where Athena reads one format of a table (or of one partition): the data or its manifests."""
    rel = rel_dir if rel_dir is not None else table.rel_dir
    if not table.mixed:
        return s3_url(storage, rel)
    below = rel[len(table.rel_dir) :].strip("/")
    manifest_root = table_path(prefix, f"{MANIFESTS_DIR}/{fmt}/{table.name}")
    return s3_url(storage, f"{manifest_root}/{below}" if below else manifest_root)


def storage_descriptor(storage: LakeStorage, prefix: str, table: LakeTable, fmt: str) -> dict[str, Any]:
    """The StorageDescriptor of one format's table."""
    spec = PARQUET_FORMAT if fmt == "parquet" else CSV_FORMAT
    columns = (
        [{"Name": n, "Type": t} for n, t in table.columns]
        if fmt == "parquet"
        else [{"Name": c, "Type": "string"} for c in (table.csv_columns or [n for n, _ in table.columns])]
    )
    sd: dict[str, Any] = {
        "Columns": columns,
        "Location": data_location(storage, prefix, table, fmt, None),
        **{k: (dict(v) if isinstance(v, dict) else v) for k, v in spec.items()},
    }
    if table.mixed:
        sd["InputFormat"] = SYMLINK_INPUT
    return sd


def projectable(table: LakeTable) -> bool:
    """Whether partition projection can describe every partition (keys `lms` and `date` only)."""
    return set(table.partition_keys) <= PROJECTABLE_KEYS


def table_input(
    storage: LakeStorage, prefix: str, table: LakeTable, fmt: str, hosts: set[str]
) -> dict[str, Any]:
    """The Glue TableInput of one format of a lake table."""
    parameters: dict[str, str] = {"classification": fmt, "EXTERNAL": "TRUE", "learnlake.table": table.name}
    if fmt == "csv":
        parameters.update(
            {
                "skip.header.line.count": "1",
                "delimiter": ",",
                "compressionType": "none",
                "typeOfData": "file",
                "columnsOrdered": "true",
            }
        )
    if projectable(table):
        values = sorted(hosts | {p.values[table.partition_keys.index("lms")] for p in table.partitions})
        parameters["projection.enabled"] = "true"
        template = data_location(storage, prefix, table, fmt, None)
        for key in table.partition_keys:
            template += f"{key}=${{{key}}}/"
            if key == "lms":
                parameters["projection.lms.type"] = "enum"
                parameters["projection.lms.values"] = ",".join(values)
            else:
                parameters.update(
                    {
                        "projection.date.type": "date",
                        "projection.date.range": "2000-01-01,NOW",
                        "projection.date.format": "yyyy-MM-dd",
                        "projection.date.interval": "1",
                        "projection.date.interval.unit": "DAYS",
                    }
                )
        parameters["storage.location.template"] = template
    return {
        "Name": table_names(prefix, table.name)[fmt],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [{"Name": k, "Type": "string"} for k in table.partition_keys],
        "StorageDescriptor": storage_descriptor(storage, prefix, table, fmt),
    }


def partition_input(
    storage: LakeStorage, prefix: str, table: LakeTable, fmt: str, partition: Partition
) -> dict[str, Any]:
    """The Glue PartitionInput of one partition folder."""
    sd = storage_descriptor(storage, prefix, table, fmt)
    sd["Location"] = data_location(storage, prefix, table, fmt, partition.rel_dir)
    return {"Values": list(partition.values), "StorageDescriptor": sd}


def write_manifests(storage: LakeStorage, prefix: str, table: LakeTable, memo: Any = None) -> int:
    """Write each partition's symlink manifests (mixed-format tables); returns how many were written.

    With a memo (get/set of digests), a manifest whose content is unchanged is not written again.
    """
    written = 0
    for fmt in sorted(table.formats):
        for partition in table.partitions:
            files = partition.files.get(fmt, [])
            folder = data_location(storage, prefix, table, fmt, partition.rel_dir)[len("s3://") :]
            body = "".join(f"s3://{storage.path(rel)}\n" for rel in sorted(files))
            digest = hashlib.sha256(body.encode()).hexdigest()
            if memo is not None and memo.get(f"manifest:{folder}") == digest:
                continue
            with storage.fs.open(f"{folder}manifest", "wb") as fh:
                fh.write(body.encode())
            if memo is not None:
                memo.set(f"manifest:{folder}", digest)
            written += 1
    return written
