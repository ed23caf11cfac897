"""Extracted tables and materialized models become warehouse views as soon as they have files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from learnlake.config import Settings
from learnlake.lake.discover import LakeFolderTable, discover_tables
from learnlake.lake.storage import LakeStorage
from learnlake.warehouse import open_warehouse


def _write(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", lake={"prefix": "openedx"})  # type: ignore[arg-type]


def test_lake_folders_with_parquet_become_views(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    lake = Path(settings.lake_root) / "openedx"
    _write(lake / "auth_user/lms=lms.example.com/part-0.parquet", pa.table({"id": [1, 2]}))
    _write(lake / "auth_user/lms=other.example.com/part-0.parquet", pa.table({"id": [3], "x": ["y"]}))
    day = dt.date(2024, 5, 1)
    _write(lake / "models/fact_things/event_date=2024-05-01/f.parquet", pa.table({"n": [7]}))
    # never tables: a folder with no Parquet, a staged temp file, a bad name, a model shadowing a table
    (lake / "empty_table/lms=a").mkdir(parents=True)
    _write(lake / "staged_only/lms=a/.part.parquet.tmp", pa.table({"id": [1]}))
    _write(lake / "bad-name/lms=a/f.parquet", pa.table({"id": [1]}))
    _write(lake / "models/auth_user/f.parquet", pa.table({"id": [9]}))

    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    assert discover_tables(storage, "openedx") == {
        "auth_user": LakeFolderTable("openedx/auth_user", site_partitioned=True),
        "fact_things": LakeFolderTable("openedx/models/fact_things", site_partitioned=False),
    }

    warehouse = open_warehouse(settings)
    assert warehouse.refresh() is True
    assert warehouse.refresh() is False  # unchanged lake: the file is not rewritten
    rows = warehouse.rows("SELECT id, x, lms FROM auth_user ORDER BY id")
    assert rows == [
        {"id": 1, "x": None, "lms": "lms.example.com"},
        {"id": 2, "x": None, "lms": "lms.example.com"},
        {"id": 3, "x": "y", "lms": "other.example.com"},
    ]
    assert warehouse.rows("SELECT n, event_date FROM fact_things") == [{"n": 7, "event_date": day}]
    counts = warehouse.counts()
    assert counts["auth_user"] == 3 and counts["fact_things"] == 1 and "staged_only" not in counts

    # a table that appears later is picked up by the next refresh
    _write(lake / "student_courseenrollment/lms=lms.example.com/p.parquet", pa.table({"id": [1]}))
    assert warehouse.refresh() is True
    assert warehouse.rows("SELECT count(*) AS n FROM student_courseenrollment") == [{"n": 1}]
