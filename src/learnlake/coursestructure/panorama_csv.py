"""Panorama's course-structures CSV: `<prefix>/course_structures/lms=<host>/course_structures.csv`.

Written when `lake.formats` includes `csv`, so Panorama's Athena table and QuickSight datasets keep
working. Unlike Panorama's writer it is RFC 4180 (quotes doubled, newlines inside quoted fields) and
keeps NULL (an empty unquoted field) apart from the empty string (`""`). It is rebuilt from the
per-course Parquet files, one course at a time, and replaces the previous file atomically.
"""

from __future__ import annotations

import os

import pyarrow.csv as pacsv

from learnlake.config.settings import Settings
from learnlake.coursestructure.builder import COURSE_STRUCTURES_SCHEMA
from learnlake.lake.layout import partition_path
from learnlake.lake.storage import LakeStorage

CSV_OPTIONS = pacsv.WriteOptions(quoting_style="all_valid", include_header=True)


def write_course_structures_csv(settings: Settings) -> str | None:
    """Rebuild the site's course_structures.csv from the lake; returns its path (None: no course)."""
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    folder = partition_path(settings.lake.prefix, "course_structures", settings.site.host, None)
    rel = f"{folder}/course_structures.csv"
    files = storage.list_files(folder)
    if not files:
        storage.delete(rel)
        return None
    target = storage.path(storage.temp_name(rel)) if storage.is_local else storage.path(rel)
    if storage.is_local:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    with storage.fs.open(target, "wb") as fh:
        writer = pacsv.CSVWriter(fh, COURSE_STRUCTURES_SCHEMA, write_options=CSV_OPTIONS)
        for name in files:
            writer.write_table(storage.read_table(f"{folder}/{name}").select(COURSE_STRUCTURES_SCHEMA.names))
        writer.close()
    if storage.is_local:
        os.replace(target, storage.path(rel))
    return rel
