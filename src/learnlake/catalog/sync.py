"""`catalog create|update|drop`: make the Glue database, tables, partitions and Athena views match the lake.

Unlike Panorama's `CREATE EXTERNAL TABLE IF NOT EXISTS`, an existing table is updated (UpdateTable),
so new columns reach Athena; partitions that left the lake are removed; one table's failure is
reported and the other tables are still done.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from learnlake.catalog.athena import Athena, aws_client
from learnlake.catalog.glue import (
    partition_input,
    projectable,
    table_input,
    table_names,
    write_manifests,
)
from learnlake.catalog.lake_tables import LakeTable, lake_tables
from learnlake.config.settings import Settings
from learnlake.lake.storage import LakeStorage

BATCH_CREATE = 100  # BatchCreatePartition's limit
BATCH_DELETE = 25  # BatchDeletePartition's limit


class Memo(Protocol):
    """What was last applied (digests by object), so a scheduled run skips unchanged objects."""

    def get(self, key: str) -> Any:
        """The digest stored for an object, or None."""
        ...

    def set(self, key: str, value: Any) -> None:
        """Remember an object's digest once it is applied."""
        ...


def digest(value: Any) -> str:
    """A stable digest of a JSON-like value."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class CatalogConfigError(ValueError):
    """The settings do not allow a catalog (no database, or a local lake)."""


@dataclass
class CatalogReport:
    """One line per catalog object: (object, ok or FAIL, detail)."""

    lines: list[tuple[str, str, str]] = field(default_factory=list)

    def ok(self, what: str, detail: str = "") -> None:
        self.lines.append((what, "ok", detail))

    def fail(self, what: str, detail: str) -> None:
        self.lines.append((what, "FAIL", detail))

    @property
    def failed(self) -> bool:
        """Whether anything failed."""
        return any(status == "FAIL" for _, status, _ in self.lines)


def _check(settings: Settings) -> tuple[str, LakeStorage]:
    database = settings.lake.athena.database
    if not database:
        raise CatalogConfigError("lake.athena.database is not set: there is no catalog to manage")
    if not settings.lake_root.startswith("s3://"):
        raise CatalogConfigError(f"the catalog needs the lake on S3 (lake.root is {settings.lake_root})")
    return database, LakeStorage(settings.lake_root, settings.lake.s3)


def sync(
    settings: Settings, only: list[str] | None = None, create_database: bool = True, memo: Memo | None = None
) -> CatalogReport:
    """Create or update the database, every lake table's Glue tables, partitions and view.

    With a `memo` (the `learnlake run` stage), tables, views and manifests identical to the last
    applied ones are not sent again; partitions are always compared with Glue's.
    """
    database, storage = _check(settings)
    glue = aws_client(settings, "glue")
    athena = Athena(settings)
    report = CatalogReport()
    if not _database_exists(glue, database):
        if not create_database:
            report.fail(f"database {database}", "missing: run `learnlake catalog create` first")
            return report
        glue.create_database(DatabaseInput={"Name": database, "Description": "learnlake lake tables"})
        report.ok(f"database {database}", "created")
    tables = lake_tables(settings, storage, only)
    if not tables:
        report.ok("tables", "the lake holds no table yet")
    configured = {t.lake_name or t.name for d in settings.extract.datasources for t in d.tables}
    for name in sorted(configured - {t.name for t in tables}):
        if not only or name in only:
            report.ok(f"table {name}", "configured but no data in the lake yet: skipped")
    for table in tables:
        try:
            _sync_table(settings, storage, glue, athena, database, table, report, memo)
        except Exception as exc:  # one table's failure must not stop the others
            report.fail(f"table {table.name}", f"{type(exc).__name__}: {exc}")
    return report


def _sync_table(
    settings: Settings,
    storage: LakeStorage,
    glue: Any,
    athena: Athena,
    database: str,
    table: LakeTable,
    report: CatalogReport,
    memo: Memo | None,
) -> None:
    prefix = settings.lake.prefix
    names = table_names(prefix, table.name)
    if table.mixed:
        write_manifests(storage, prefix, table, memo)
    for fmt in sorted(table.formats):
        spec = table_input(storage, prefix, table, fmt, {settings.site.host})
        key = f"{database}.{spec['Name']}"
        if memo is not None and memo.get(key) == digest(spec):
            action = "unchanged"
        else:
            action = _upsert_table(glue, database, spec)
            if memo is not None:
                memo.set(key, digest(spec))
        if projectable(table):
            detail = f"{action}, partition projection on {', '.join(table.partition_keys)}"
        else:
            added, removed = _sync_partitions(glue, database, storage, prefix, table, fmt)
            detail = f"{action}, {len(table.partitions)} partitions (+{added} -{removed})"
        report.ok(f"table {names[fmt]}", detail)
    sql = view_sql(database, prefix, table)
    key = f"{database}.{names['view']}"
    if memo is not None and memo.get(key) == digest(sql):
        report.ok(f"view {names['view']}", "unchanged")
        return
    outcome = athena.run(sql, database)
    if outcome.ok:
        report.ok(f"view {names['view']}", "created or replaced")
        if memo is not None:
            memo.set(key, digest(sql))
    else:
        report.fail(f"view {names['view']}", f"{outcome.state}: {outcome.reason or 'no reason given'}")


def _database_exists(glue: Any, database: str) -> bool:
    try:
        glue.get_database(Name=database)
    except glue.exceptions.EntityNotFoundException:
        return False
    return True


def _upsert_table(glue: Any, database: str, spec: dict[str, Any]) -> str:
    try:
        glue.get_table(DatabaseName=database, Name=spec["Name"])
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=spec)
        return "created"
    glue.update_table(DatabaseName=database, TableInput=spec)
    return "updated"


def _sync_partitions(
    glue: Any, database: str, storage: LakeStorage, prefix: str, table: LakeTable, fmt: str
) -> tuple[int, int]:
    name = table_names(prefix, table.name)[fmt]
    existing: set[tuple[str, ...]] = set()
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=name):
        existing.update(tuple(p["Values"]) for p in page["Partitions"])
    wanted = {p.values: p for p in table.partitions if fmt in p.files}
    new = [
        partition_input(storage, prefix, table, fmt, p)
        for v, p in sorted(wanted.items())
        if v not in existing
    ]
    for i in range(0, len(new), BATCH_CREATE):
        answer = glue.batch_create_partition(
            DatabaseName=database, TableName=name, PartitionInputList=new[i : i + BATCH_CREATE]
        )
        errors = [
            e
            for e in answer.get("Errors", [])
            if e["ErrorDetail"].get("ErrorCode") != "AlreadyExistsException"
        ]
        if errors:
            first = errors[0]
            raise RuntimeError(
                f"BatchCreatePartition: {len(errors)} failed, e.g. {first['PartitionValues']}: "
                f"{first['ErrorDetail'].get('ErrorMessage')}"
            )
    stale = [{"Values": list(v)} for v in sorted(existing - set(wanted))]
    for i in range(0, len(stale), BATCH_DELETE):
        glue.batch_delete_partition(
            DatabaseName=database, TableName=name, PartitionsToDelete=stale[i : i + BATCH_DELETE]
        )
    return len(new), len(stale)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def cast_text(column: str, hive_type: str) -> str:
    """An Athena expression reading a CSV text column as its real type (empty or bad text → NULL)."""
    ref = _quote(column)
    base = hive_type.split("(")[0]
    if base in ("tinyint", "smallint", "int", "bigint"):
        return f"TRY_CAST({ref} AS BIGINT)"
    if base in ("float", "double"):
        return f"TRY_CAST({ref} AS DOUBLE)"
    if base == "decimal":
        return f"TRY_CAST({ref} AS {hive_type.upper()})"
    if base == "boolean":
        low = f"lower({ref})"
        return f"CASE WHEN {low} IN ('true', '1') THEN true WHEN {low} IN ('false', '0') THEN false END"
    if base == "timestamp":
        return f"TRY_CAST(replace(replace({ref}, 'T', ' '), 'Z', '') AS TIMESTAMP)"
    if base == "date":
        return f"TRY_CAST({ref} AS DATE)"
    return ref


def view_sql(database: str, prefix: str, table: LakeTable) -> str:
    """Panorama's typed view `<prefix>_table_<name>`: over the Parquet table when there is one."""
    names = table_names(prefix, table.name)
    parquet = "parquet" in table.formats
    columns = [
        f"{_quote(name)}" if parquet else f"{cast_text(name, kind)} AS {_quote(name)}"
        for name, kind in table.columns
    ]
    columns += [_quote(k) for k in table.partition_keys]
    source = f"{_quote(database)}.{_quote(names['parquet' if parquet else 'csv'])}"
    return f"CREATE OR REPLACE VIEW {_quote(names['view'])} AS SELECT {', '.join(columns)} FROM {source}"


def drop(settings: Settings, only: list[str] | None = None, drop_database: bool = False) -> CatalogReport:
    """Drop the views and tables learnlake made (and the database when asked and then empty)."""
    database, _storage = _check(settings)
    glue = aws_client(settings, "glue")
    athena = Athena(settings)
    report = CatalogReport()
    if not _database_exists(glue, database):
        report.ok(f"database {database}", "does not exist")
        return report
    ours: dict[str, str] = {}  # glue table name -> lake table name
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
        for t in page["TableList"]:
            lake_name = (t.get("Parameters") or {}).get("learnlake.table")
            if lake_name and (not only or lake_name in only):
                ours[t["Name"]] = lake_name
    for lake_name in sorted(set(ours.values())):
        view = table_names(settings.lake.prefix, lake_name)["view"]
        outcome = athena.run(f"DROP VIEW IF EXISTS {_quote(view)}", database)
        if outcome.ok:
            report.ok(f"view {view}", "dropped")
        else:
            report.fail(f"view {view}", f"{outcome.state}: {outcome.reason or 'no reason given'}")
    for name in sorted(ours):
        try:
            glue.delete_table(DatabaseName=database, Name=name)
            report.ok(f"table {name}", "dropped")
        except Exception as exc:
            report.fail(f"table {name}", f"{type(exc).__name__}: {exc}")
    if drop_database:
        left = [
            t["Name"]
            for page in glue.get_paginator("get_tables").paginate(DatabaseName=database)
            for t in page["TableList"]
        ]
        if left:
            report.fail(f"database {database}", f"not empty, kept ({len(left)} other tables)")
        else:
            glue.delete_database(Name=database)
            report.ok(f"database {database}", "dropped")
    return report
