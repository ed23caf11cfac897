"""What the catalog describes: each lake table's columns, partition keys, partitions and file formats.

Everything is read from the lake itself, so the catalog matches what is really stored: columns and
types from a Parquet file's schema (CSV files: the header, typed from the datasource's `fields`),
partition keys and values from the `key=value` folders, formats from the file suffixes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from learnlake.config.settings import Settings
from learnlake.lake.discover import discover_tables
from learnlake.lake.layout import QUERYABLE_TABLES, table_path
from learnlake.lake.storage import LakeStorage, is_hidden

log = logging.getLogger(__name__)
FORMATS = {".parquet": "parquet", ".csv": "csv"}


@dataclass
class Partition:
    """One partition folder: its values (in key order), folder and data files by format."""

    values: tuple[str, ...]
    rel_dir: str
    files: dict[str, list[str]] = field(default_factory=dict)  # format -> rel paths


@dataclass
class LakeTable:
    """A table as stored in the lake."""

    name: str
    rel_dir: str
    columns: list[tuple[str, str]]  # (name, Hive type), partition keys excluded
    partition_keys: list[str]
    partitions: list[Partition]
    formats: set[str]
    csv_columns: list[str] = field(default_factory=list)  # header order of the CSV files

    @property
    def mixed(self) -> bool:
        """Both formats share the folders: Athena needs manifests to tell the files apart."""
        return len(self.formats) > 1


def hive_type(arrow: pa.DataType) -> str:
    """The Glue/Hive column type Athena reads an Arrow (Parquet) column as."""
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_integer(arrow):
        width = arrow.bit_width + (1 if pa.types.is_unsigned_integer(arrow) else 0)
        if width > 64:
            return "decimal(20,0)"
        return "tinyint" if width <= 8 else "smallint" if width <= 16 else "int" if width <= 32 else "bigint"
    if pa.types.is_float32(arrow):
        return "float"
    if pa.types.is_floating(arrow):
        return "double"
    if pa.types.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    if pa.types.is_date(arrow):
        return "date"
    if pa.types.is_binary(arrow) or pa.types.is_large_binary(arrow):
        return "binary"
    return "string"


SQL_TO_HIVE = {
    "tinyint": "bigint",
    "smallint": "bigint",
    "mediumint": "bigint",
    "int": "bigint",
    "integer": "bigint",
    "bigint": "bigint",
    "float": "double",
    "double": "double",
    "decimal": "double",
    "real": "double",
    "datetime": "timestamp",
    "timestamp": "timestamp",
    "date": "date",
    "bool": "boolean",
    "boolean": "boolean",
}


def configured_types(settings: Settings) -> dict[str, dict[str, str]]:
    """Hive types of the columns the datasources' `fields` declare, by lake table name."""
    out: dict[str, dict[str, str]] = {}
    for source in settings.extract.datasources:
        for table in source.tables:
            types = out.setdefault(table.lake_name or table.name, {})
            for f in table.fields:
                base = f.type.strip().lower().split("(")[0].split()[0] if f.type.strip() else "varchar"
                types[f.name] = SQL_TO_HIVE.get(base, "string")
    return out


def lake_tables(settings: Settings, storage: LakeStorage, only: list[str] | None = None) -> list[LakeTable]:
    """Every table with data files in the lake (learnlake's own, extracted, course structure)."""
    candidates = {name: table_path(settings.lake.prefix, name) for name in QUERYABLE_TABLES}
    for name, found in discover_tables(storage, settings.lake.prefix).items():
        if not found.rel_dir.startswith(table_path(settings.lake.prefix, "models")):
            candidates.setdefault(name, found.rel_dir)
    types = configured_types(settings)
    out = []
    for name, rel_dir in sorted(candidates.items()):
        if only and name not in only:
            continue
        table = read_lake_table(storage, name, rel_dir, types.get(name, {}))
        if table is not None:
            out.append(table)
    return out


def read_lake_table(
    storage: LakeStorage, name: str, rel_dir: str, declared: dict[str, str] | None = None
) -> LakeTable | None:
    """One table's description from its folder, or None when it holds no data file."""
    partitions: dict[str, Partition] = {}
    keys: list[str] | None = None
    for rel in storage.walk_files(rel_dir):
        base = rel.rsplit("/", 1)[-1]
        suffix = "." + base.rsplit(".", 1)[-1] if "." in base else ""
        if suffix not in FORMATS or is_hidden(base):
            continue
        folder = rel[: -len(base) - 1]
        parts = [p for p in folder[len(rel_dir) :].split("/") if p]
        if any(is_hidden(p) for p in parts) or not all("=" in p for p in parts):
            continue
        these = [p.split("=", 1)[0] for p in parts]
        if keys is None:
            keys = these
        elif these != keys:
            log.warning("catalog: %s: %s has partition keys %s, not %s; skipped", name, rel, these, keys)
            continue
        part = partitions.setdefault(
            folder, Partition(tuple(unquote(p.split("=", 1)[1]) for p in parts), folder)
        )
        part.files.setdefault(FORMATS[suffix], []).append(rel)
    if keys is None:
        return None
    formats = {f for p in partitions.values() for f in p.files}
    columns: list[tuple[str, str]] = []
    csv_columns: list[str] = []
    if "parquet" in formats:
        sample = next(p.files["parquet"][0] for p in partitions.values() if "parquet" in p.files)
        schema = pq.read_schema(storage.path(sample), filesystem=storage.arrow_fs)
        columns = [(f.name, hive_type(f.type)) for f in schema if f.name not in keys]
    if "csv" in formats:
        sample = next(p.files["csv"][0] for p in partitions.values() if "csv" in p.files)
        csv_columns = [c for c in _csv_header(storage, sample) if c not in keys]
        if not columns:
            declared = declared or {}
            columns = [(c, declared.get(c, "string")) for c in csv_columns]
    return LakeTable(
        name=name,
        rel_dir=rel_dir,
        columns=columns,
        partition_keys=keys,
        partitions=sorted(partitions.values(), key=lambda p: p.values),
        formats=formats,
        csv_columns=csv_columns,
    )


def _csv_header(storage: LakeStorage, rel: str) -> list[str]:
    import csv
    import io

    with storage.fs.open(storage.path(rel), "rb") as fh:
        first = fh.read(1 << 16).decode("utf-8-sig", errors="replace").splitlines()[0]
    return next(csv.reader(io.StringIO(first)), [])
