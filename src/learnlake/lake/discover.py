"""Finding the lake's tables from its folders, so engines see any table the moment it has files.

Besides the tables learnlake defines itself (`layout.QUERYABLE_TABLES`), the lake holds extracted
LMS tables (`<prefix>/<mysql table>/lms=<host>/…`) and materialized models
(`<prefix>/models/<model>/…`). Every such folder holding at least one visible Parquet file is a
table; its name is the folder name.
"""

from __future__ import annotations

import glob
import logging
import re
from dataclasses import dataclass

from learnlake.lake.layout import QUERYABLE_TABLES, TableSpec, file_glob, table_path
from learnlake.lake.storage import LakeStorage, is_hidden

log = logging.getLogger(__name__)

MODELS_DIR = "models"
RAW_LOGS_DIR = "tracking_logs"
DERIVED_VIEWS = frozenset({"xapi_events_all_parsed"})
RESERVED = frozenset({*QUERYABLE_TABLES, *DERIVED_VIEWS, MODELS_DIR, RAW_LOGS_DIR})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class LakeFolderTable:
    """A table found in the lake: its folder (relative to the root) and whether it has lms= partitions."""

    rel_dir: str
    site_partitioned: bool


def table_has_files(storage: LakeStorage, prefix: str, spec: TableSpec) -> bool:
    """Whether one of learnlake's own tables has a data file yet."""
    pattern = storage.path(f"{table_path(prefix, spec.name)}/{file_glob(spec)}")
    if storage.is_local:
        return next(glob.iglob(pattern), None) is not None
    return bool(storage.fs.glob(pattern))


def _has_parquet(storage: LakeStorage, rel_dir: str) -> bool:
    pattern = storage.path(f"{rel_dir}/**/*.parquet")
    if storage.is_local:
        return any(not is_hidden(p.rsplit("/", 1)[-1]) for p in glob.iglob(pattern, recursive=True))
    return any(not is_hidden(p.rsplit("/", 1)[-1]) for p in storage.fs.glob(pattern))


def _tables_below(storage: LakeStorage, rel_parent: str, taken: set[str]) -> dict[str, LakeFolderTable]:
    found: dict[str, LakeFolderTable] = {}
    for name in storage.list_dirs(rel_parent):
        if is_hidden(name) or name in RESERVED or not _NAME.match(name):
            continue
        if name in taken:
            log.warning("lake folder %s/%s shadows another table of that name; skipped", rel_parent, name)
            continue
        rel_dir = f"{rel_parent}/{name}" if rel_parent else name
        if _has_parquet(storage, rel_dir):
            sites = any(d.startswith("lms=") for d in storage.list_dirs(rel_dir))
            found[name] = LakeFolderTable(rel_dir, sites)
    return found


def discover_tables(storage: LakeStorage, prefix: str) -> dict[str, LakeFolderTable]:
    """Extra lake tables (extracted tables, then models) → their folder relative to the root.

    learnlake's own tables are not listed; a model whose name is already a table is skipped.
    """
    root = prefix.strip("/")
    extracted = _tables_below(storage, root, set())
    models = _tables_below(storage, table_path(prefix, MODELS_DIR), set(extracted))
    return {**extracted, **models}
