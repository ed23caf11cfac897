"""`tables discover` / `tables fields`: update the settings file from the databases, edits kept.

The file is edited in place through ruamel.yaml's round-trip mode, so comments, key order, quoting
and every hand edit (lake names, partitions, `value` overrides, PII marks) survive. Every SQL
datasource is processed (Panorama's set-tables only touched the first one), in a learnlake file
(`extract.datasources`) or a Panorama one (`datasources`, per-table `partitions`).
"""

from __future__ import annotations

import fnmatch
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from learnlake.config import Settings
from learnlake.config.settings import TableSettings
from learnlake.extract.plan import builtin_pii, default_tables
from learnlake.extract.run import sql_datasources
from learnlake.extract.sources import Source, open_source


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(path: Path) -> tuple[YAML, Any, CommentedSeq, bool]:
    yaml = _yaml()
    doc = yaml.load(path.read_text(encoding="utf-8"))
    if isinstance(doc, dict) and "datalake" in doc:
        return yaml, doc, doc.setdefault("datasources", CommentedSeq()), True
    extract = doc.setdefault("extract", CommentedMap())
    return yaml, doc, extract.setdefault("datasources", CommentedSeq()), False


def _save(yaml: YAML, doc: Any, path: Path) -> None:
    buf = io.StringIO()
    yaml.dump(doc, buf)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(path)


def _entry(table: TableSettings, panorama: bool) -> CommentedMap:
    """A table entry for the file, in learnlake or Panorama shape."""
    out = CommentedMap(name=table.name)
    if panorama:
        parts = CommentedMap()
        if table.partition_fields:
            parts["partition_fields"] = list(table.partition_fields)
        if table.timestamp_field:
            parts["timestamp_field"] = table.timestamp_field
        if table.interval:
            parts["interval"] = table.interval
        if parts:
            out["partitions"] = parts
    else:
        for key in ("lake_name", "primary_key", "partition_fields", "timestamp_field", "interval"):
            value = getattr(table, key)
            if value:
                out[key] = list(value) if isinstance(value, list) else value
    if table.fields:
        out["fields"] = CommentedSeq(
            [_field(f.name, f.type, f.pii, f.value, "value" in f.model_fields_set) for f in table.fields]
        )
    return out


def _field(name: str, sql_type: str, pii: Any, value: Any = None, has_value: bool = False) -> CommentedMap:
    entry = CommentedMap(name=name, type=sql_type)
    if pii not in (False, None):
        entry["pii"] = pii
    if has_value:
        entry["value"] = value
    entry.fa.set_flow_style()
    return entry


def _nodes(datasources: CommentedSeq, settings: Settings, only: str | None) -> list[tuple[Any, Any]]:
    wanted = {d.name: d for d in sql_datasources(settings, only)}
    out = []
    for node in datasources:
        name = node.get("name") or node.get("type")
        if name in wanted:
            out.append((node, wanted[name]))
    return out


def _ensure_tables(node: Any, ds_type: str, source: Source, panorama: bool) -> CommentedSeq:
    """The node's `tables` list; the built-in set is written out when it was implicit."""
    tables = node.get("tables")
    if not tables:
        if ds_type == "mysql":
            tables = CommentedSeq([_entry(t, panorama) for t in default_tables()])
        else:
            tables = CommentedSeq()
        node["tables"] = tables
    return tables


def discover_tables(
    path: Path, settings: Settings, only: str | None, patterns: list[str], prune: bool
) -> list[str]:
    """Add tables matching the patterns (and, with prune, drop vanished ones) in every SQL datasource."""
    yaml, doc, datasources, panorama = _load(path)
    changes: list[str] = []
    for node, ds in _nodes(datasources, settings, only):
        source = open_source(ds)
        try:
            existing = source.tables()
            tables = _ensure_tables(node, ds.type, source, panorama)
            names = {t.get("name") for t in tables}
            for name in existing:
                if name not in names and any(fnmatch.fnmatchcase(name, p) for p in patterns):
                    tables.append(CommentedMap(name=name))
                    changes.append(f"{ds.name}: + {name}")
            if prune:
                for i in reversed(range(len(tables))):
                    if tables[i].get("name") not in existing:
                        changes.append(f"{ds.name}: - {tables[i].get('name')}")
                        del tables[i]
        finally:
            source.close()
    _save(yaml, doc, path)
    return changes


def discover_fields(
    path: Path, settings: Settings, only: str | None, tables_only: list[str] | None
) -> list[str]:
    """Write each configured table's fields from the database: new columns added, types updated,
    columns the database lost kept as constant NULL (`value: null`)."""
    yaml, doc, datasources, panorama = _load(path)
    changes: list[str] = []
    for node, ds in _nodes(datasources, settings, only):
        source = open_source(ds)
        try:
            columns = source.all_columns()
            for table in _ensure_tables(node, ds.type, source, panorama):
                name = table.get("name")
                if (tables_only and name not in tables_only) or name not in columns:
                    continue
                fields = table.get("fields")
                if fields is None:
                    fields = CommentedSeq()
                    table["fields"] = fields
                by_name = {f.get("name"): f for f in fields}
                for col in columns[name]:
                    entry = by_name.get(col.name)
                    if entry is None:
                        fields.append(_field(col.name, col.sql_type, builtin_pii(name, col.name)))
                        changes.append(f"{ds.name}.{name}: + {col.name} {col.sql_type}")
                    elif "value" not in entry and entry.get("type") != col.sql_type:
                        entry["type"] = col.sql_type
                        changes.append(f"{ds.name}.{name}: {col.name} type {col.sql_type}")
                present = {c.name for c in columns[name]}
                for entry in fields:
                    if entry.get("name") not in present and "value" not in entry:
                        entry["value"] = None
                        changes.append(f"{ds.name}.{name}: {entry.get('name')} missing, now NULL")
        finally:
            source.close()
    _save(yaml, doc, path)
    return changes
