"""What to extract from one table: the resolved columns, key, partitions and increment mode.

Resolution happens against the database's real columns, so a configured column that no longer
exists is an error naming it (the table fails alone), a `value` override turns into a constant,
secret columns (`auth_user.password`) never appear and personal ones only with `privacy.pii`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

import orjson
import pyarrow as pa
from ruamel.yaml import YAML

from learnlake.config.settings import DatasourceSettings, FieldSettings, TableSettings
from learnlake.extract.sources import Source, SourceColumn
from learnlake.extract.types import ColumnType, column_type, csv_type

# columns that never leave the database, whatever the configuration says
ALWAYS_SECRET = {("auth_user", "password")}


class PlanError(Exception):
    """The configuration of a table does not match the database."""


@dataclass(frozen=True)
class PlannedColumn:
    """One output column: read from the source, or a constant."""

    name: str
    type: ColumnType
    source: str | None  # source column name; None for a constant
    constant: Any = None


@dataclass
class TablePlan:
    """Everything the extractor needs for one table."""

    source_table: str
    lake_name: str
    columns: list[PlannedColumn]
    primary_key: list[str]
    partition_fields: list[str]
    timestamp_field: str | None
    overlap: timedelta
    dropped: list[str] = field(default_factory=list)  # personal/secret columns left out

    @property
    def mode(self) -> str:
        """timestamp (rows changed since the watermark) or checksum (whole table when changed)."""
        return "timestamp" if self.timestamp_field else "checksum"

    @property
    def data_columns(self) -> list[PlannedColumn]:
        """Columns stored in the files (partition fields live in the folder names)."""
        return [c for c in self.columns if c.name not in self.partition_fields]

    def parquet_schema(self) -> pa.Schema:
        """Schema of the Parquet files."""
        return pa.schema([(c.name, c.type.arrow) for c in self.data_columns])

    def csv_schema(self) -> pa.Schema:
        """Schema of the CSV batches."""
        return pa.schema([(c.name, csv_type(c.type)) for c in self.data_columns])

    def signature(self, formats: list[str]) -> str:
        """Changes when anything affecting the files changes (columns, types, layout, formats)."""
        doc = [
            self.lake_name,
            [(c.name, str(c.type.arrow), c.source, repr(c.constant)) for c in self.columns],
            self.partition_fields,
            sorted(formats),
        ]
        return hashlib.sha1(orjson.dumps(doc)).hexdigest()[:16]


def _packaged_tables(name: str) -> tuple[TableSettings, ...]:
    text = resources.files("learnlake.extract").joinpath(name).read_text(encoding="utf-8")
    doc = YAML(typ="safe").load(text)
    return tuple(TableSettings.model_validate(t) for t in doc["tables"])


@cache
def panorama_tables() -> tuple[TableSettings, ...]:
    """Panorama's 29 Open edX tables (264 fields), from the packaged YAML."""
    return _packaged_tables("panorama_tables.yaml")


@cache
def default_tables() -> tuple[TableSettings, ...]:
    """The built-in Open edX set: Panorama's 29 tables plus the external-id tables xAPI actors need."""
    return panorama_tables() + _packaged_tables("openedx_tables.yaml")


def builtin_pii(table: str, column: str) -> bool | str:
    """The PII class the built-in set gives a column (any source), False when unknown."""
    if (table, column) in ALWAYS_SECRET:
        return "secret"
    for t in default_tables():
        if t.name == table:
            for f in t.fields:
                if f.name == column:
                    return f.pii
    return False


def configured_tables(ds: DatasourceSettings, source: Source | None) -> list[TableSettings]:
    """The datasource's tables: its list, else the built-in set (mysql) or every table (others)."""
    if ds.tables:
        return list(ds.tables)
    if ds.type == "mysql":
        return list(default_tables())
    if source is None:
        return []
    defaults = {t.name: t for t in default_tables()}
    return [defaults.get(name) or TableSettings(name=name) for name in source.tables()]


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week)s?\s*$", re.I)


def parse_interval(text: str | None) -> timedelta:
    """Panorama's MySQL INTERVAL text ('2 hour', '30 minutes') as a timedelta; None → 0."""
    if not text:
        return timedelta(0)
    m = _INTERVAL.match(text)
    if not m:
        raise PlanError(f"interval {text!r}: expected '<number> second|minute|hour|day|week'")
    return timedelta(**{m.group(2).lower() + "s": float(m.group(1))})


def plan_table(table: TableSettings, source: Source, pii: bool) -> TablePlan:
    """Resolve a table's settings against the database's columns."""
    all_columns = source.all_columns()
    if table.name not in all_columns:
        raise PlanError(f"table {table.name!r} does not exist in the database")
    src_cols: dict[str, SourceColumn] = {c.name: c for c in all_columns[table.name]}
    wanted: list[FieldSettings] = list(table.fields) or [
        FieldSettings(name=c.name, type=c.sql_type) for c in all_columns[table.name]
    ]
    columns: list[PlannedColumn] = []
    dropped: list[str] = []
    for f in wanted:
        klass = f.pii if f.pii is not False else builtin_pii(table.name, f.name)
        if (table.name, f.name) in ALWAYS_SECRET or klass == "secret" or (klass is True and not pii):
            dropped.append(f.name)
            continue
        if "value" in f.model_fields_set:
            columns.append(PlannedColumn(f.name, column_type(f.type, source.dialect), None, f.value))
            continue
        col = src_cols.get(f.name)
        if col is None:
            raise PlanError(
                f"column {table.name}.{f.name} does not exist in the database "
                "(renamed or removed? set `value: null` on the field to keep it as NULL)"
            )
        columns.append(PlannedColumn(f.name, column_type(col.sql_type, source.dialect), f.name))
    names = {c.name for c in columns}
    for pf in table.partition_fields:
        if pf not in names:
            raise PlanError(f"partition field {table.name}.{pf} is not an extracted column")
    ts = table.timestamp_field
    if ts and ts not in src_cols:
        raise PlanError(f"timestamp field {table.name}.{ts} does not exist in the database")
    key = list(table.primary_key) or source.primary_keys().get(table.name, [])
    if ts and not table.partition_fields:
        missing = [k for k in key if k not in names]
        if not key or missing:
            raise PlanError(
                f"table {table.name}: incremental loads need a primary key among the extracted columns"
            )
    return TablePlan(
        source_table=table.name,
        lake_name=table.lake_name or table.name,
        columns=columns,
        primary_key=key,
        partition_fields=list(table.partition_fields),
        timestamp_field=ts,
        overlap=parse_interval(table.interval),
        dropped=dropped,
    )


def select_sql(plan: TablePlan, source: Source, where: str = "") -> str:
    """The SELECT reading a plan's columns (temporal/decimal as text, constants inline)."""
    parts = []
    for c in plan.columns:
        alias = source.quote(c.name)
        if c.source is None and c.constant is None:
            parts.append(f"{source.cast_text('NULL')} AS {alias}")
        elif c.source is None:
            parts.append(f"{source.literal(c.constant)} AS {alias}")
        elif c.type.as_text:
            parts.append(f"{source.text_expr(c.source)} AS {alias}")
        else:
            parts.append(f"{source.quote(c.source)} AS {alias}")
    sql = f"SELECT {', '.join(parts)} FROM {source.quote(plan.source_table)}"
    return f"{sql} WHERE {where}" if where else sql


def wire_fields(plan: TablePlan) -> list[pa.Field]:
    """Names and read types of the SELECT's columns."""
    out = []
    for c in plan.columns:
        if c.source is None:
            t = pa.string() if c.type.as_text or c.constant is None else c.type.arrow
            out.append(pa.field(c.name, pa.string() if c.constant is None else t))
        else:
            out.append(pa.field(c.name, pa.string() if c.type.as_text else c.type.arrow))
    return out
