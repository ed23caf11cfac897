"""Lake output on S3 (moto server), Panorama CSV layout, and the `extract` stage of `learnlake run`."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3

from conftest import make_settings
from learnlake.extract.run import extract
from learnlake.state import StateStore


def test_extract_to_s3_parquet_and_panorama_csv(
    tmp_path: Path, lms_sqlite: Path, s3_endpoint: str, s3_bucket: str
) -> None:
    ds = {"name": "lms", "type": "sqlite", "url": f"sqlite:///{lms_sqlite}"}
    lake = {
        "root": f"s3://{s3_bucket}",
        "prefix": "openedx",
        "formats": ["parquet", "csv"],
        "s3": {"endpoint_url": s3_endpoint, "access_key_id": "testing", "secret_access_key": "testing"},
    }
    _, settings = make_settings(tmp_path, [ds], lake=lake)
    store = StateStore(settings.state_dir)
    report = extract(settings, store, tables=["courseware_studentmodule", "auth_user"])
    assert {t.status for t in report.tables} == {"loaded"}
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert "openedx/auth_user/lms=lms.test/auth_user.csv" in keys
    assert "openedx/auth_user/lms=lms.test/auth_user.parquet" in keys
    module_csv = [k for k in keys if k.startswith("openedx/courseware_studentmodule/lms=lms.test/course_id=")]
    assert module_csv and all(k.endswith((".csv", ".parquet")) for k in module_csv)
    assert any("course_id=course-v1%3A" in k for k in module_csv)  # Panorama's URL-quoted values
    assert not [k for k in keys if "/." in k]  # no temp objects left
    body = s3.get_object(Bucket=s3_bucket, Key="openedx/auth_user/lms=lms.test/auth_user.csv")["Body"].read()
    header = body.decode().splitlines()[0]
    assert header.startswith('"id",') and "password" not in header
    again = extract(settings, store, tables=["courseware_studentmodule", "auth_user"])
    assert {t.status for t in again.tables} == {"skipped"}
    store.close()


def test_run_pipeline_extracts_and_warehouse_queries(tmp_path: Path, lms_sqlite: Path) -> None:
    from learnlake.pipeline import run_pipeline
    from learnlake.warehouse import open_warehouse

    shutil.copy(lms_sqlite, tmp_path / "lms.sqlite")
    ds = {"name": "lms", "type": "sqlite", "url": "sqlite:///lms.sqlite"}  # relative to the settings file
    _, settings = make_settings(tmp_path, [ds])
    results = {r.stage: r for r in run_pipeline(settings, only=["extract"])}
    assert results["extract"].status == "ok" and results["extract"].rows_out > 0
    warehouse = open_warehouse(settings)
    import sqlite3

    expected = (
        sqlite3.connect(lms_sqlite).execute("SELECT count(*) FROM courseware_studentmodule").fetchone()[0]
    )
    table = warehouse.query("SELECT count(*) AS n FROM courseware_studentmodule")
    assert table.column("n")[0].as_py() == expected > 0


def test_vanished_partition_is_removed(tmp_path: Path, lms_sqlite: Path) -> None:
    import sqlite3

    db = tmp_path / "lms.sqlite"
    shutil.copy(lms_sqlite, db)
    ds = {"name": "lms", "type": "sqlite", "url": f"sqlite:///{db}"}
    _, settings = make_settings(tmp_path, [ds], extract={"datasources": [ds], "delete_check_hours": 0})
    store = StateStore(settings.state_dir)
    extract(settings, store, tables=["courseware_studentmodule"])
    base = Path(settings.lake_root) / "openedx" / "courseware_studentmodule" / "lms=lms.test"
    folders = sorted(p.name for p in base.iterdir() if any(p.glob("*.parquet")))
    assert len(folders) >= 2
    conn = sqlite3.connect(db)
    course = conn.execute("SELECT course_id FROM courseware_studentmodule LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM courseware_studentmodule WHERE course_id = ?", (course,))
    conn.commit()
    conn.close()
    report = extract(settings, store, tables=["courseware_studentmodule"])
    assert report.tables[0].status == "incremental"
    left = sorted(p.name for p in base.iterdir() if any(p.glob("*.parquet")))
    assert len(left) == len(folders) - 1
    store.close()


def test_empty_partitioned_table_then_rows(tmp_path: Path) -> None:
    import sqlite3

    import duckdb

    db = tmp_path / "x.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, course_id VARCHAR(255), modified DATETIME)")
    conn.commit()
    table = {"name": "events", "partition_fields": ["course_id"], "timestamp_field": "modified"}
    ds = {"name": "x", "type": "sqlite", "url": f"sqlite:///{db}", "tables": [table]}
    _, settings = make_settings(tmp_path, [ds])
    store = StateStore(settings.state_dir)
    assert extract(settings, store).tables[0].status == "loaded"
    assert extract(settings, store).tables[0].status == "skipped"
    conn.execute("INSERT INTO events VALUES (1, 'course-v1:A+B+C', '2026-01-01 00:00:00.000000')")
    conn.execute("INSERT INTO events VALUES (2, NULL, '2026-01-01 00:00:00.000000')")
    conn.commit()
    report = extract(settings, store)
    assert (report.tables[0].status, report.tables[0].rows) == ("incremental", 2)
    files = f"{settings.lake_root}/openedx/events/lms=*/*/*.parquet"
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{files}', hive_partitioning = true)").fetchone()
    assert rows == (2,)
    assert extract(settings, store).tables[0].status == "skipped"
    store.close()
    conn.close()
