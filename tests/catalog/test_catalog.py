"""`learnlake catalog create|update|drop` against the moto server's S3, Glue and Athena (issue 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from learnlake.catalog.athena import Athena, outcome_of
from learnlake.catalog.lake_tables import lake_tables
from learnlake.catalog.sync import drop, sync, view_sql
from learnlake.config import Settings
from learnlake.coursestructure import read_olx_course, write_course_structure
from learnlake.lake.storage import LakeStorage

HOST = "lms.test"
COURSES = ["course-v1:Org+A+2024", "course-v1:Org+B+2024"]


def _settings(bucket: str, endpoint: str, tmp_path: Path, **athena: Any) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path / "data"),
            "site": {"lms_host": HOST},
            "lake": {
                "root": f"s3://{bucket}/lake",
                "prefix": "openedx",
                "formats": ["parquet", "csv"],
                "s3": {"endpoint_url": endpoint},
                "athena": {
                    "database": "panorama",
                    "endpoint_url": endpoint,
                    "output_location": f"s3://{bucket}/athena/",
                    **athena,
                },
            },
        }
    )


def _write(storage: LakeStorage, rel: str, table: pa.Table, fmt: str) -> None:
    with storage.fs.open(storage.path(rel), "wb") as fh:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, fh)
        else:
            pacsv.write_csv(table, fh, pacsv.WriteOptions(quoting_style="all_valid"))


def _studentmodule(course: str, n: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "module_id": pa.array([f"block-v1:x+type@problem+block@{i}" for i in range(n)]),
            "grade": pa.array([0.5] * n, pa.float64()),
            "modified": pa.array([1_700_000_000_000_000] * n, pa.timestamp("us", tz="UTC")),
            "state": pa.array(['{"a": "b\\\\c"}'] * n),
        }
    )


@pytest.fixture
def lake(s3_bucket: str, s3_endpoint: str, tmp_path: Path, shared_dir: Path) -> Settings:
    settings = _settings(s3_bucket, s3_endpoint, tmp_path)
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    from urllib.parse import quote

    for course in COURSES:
        folder = f"openedx/courseware_studentmodule/lms={HOST}/course_id={quote(course, safe='')}"
        for fmt in ("parquet", "csv"):
            _write(storage, f"{folder}/courseware_studentmodule.{fmt}", _studentmodule(course, 3), fmt)
    users = pa.table(
        {
            "id": pa.array([1, 2], pa.int32()),
            "is_staff": [True, False],
            "date_joined": pa.array([None, 1], pa.timestamp("us", tz="UTC")),
        }
    )
    _write(storage, f"openedx/auth_user/lms={HOST}/auth_user.parquet", users, "parquet")
    write_course_structure(settings, read_olx_course(shared_dir / "data/openedx-demo-course/course.tar.gz"))
    return settings


def _glue(settings: Settings) -> Any:
    return boto3.client("glue", endpoint_url=settings.lake.athena.endpoint_url, region_name="us-east-1")


def _queries(settings: Settings) -> list[str]:
    athena = boto3.client("athena", endpoint_url=settings.lake.athena.endpoint_url, region_name="us-east-1")
    ids = athena.list_query_executions()["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids]


def test_lake_tables_are_read_from_the_lake(lake: Settings) -> None:
    storage = LakeStorage(lake.lake_root, lake.lake.s3)
    tables = {t.name: t for t in lake_tables(lake, storage)}
    assert {
        "auth_user",
        "courseware_studentmodule",
        "course_blocks",
        "course_overviews",
        "course_structures",
    } <= set(tables)
    sm = tables["courseware_studentmodule"]
    assert sm.partition_keys == ["lms", "course_id"] and sm.mixed
    assert [p.values for p in sm.partitions] == [(HOST, c) for c in COURSES]
    assert sm.columns == [
        ("id", "bigint"),
        ("module_id", "string"),
        ("grade", "double"),
        ("modified", "timestamp"),
        ("state", "string"),
    ]
    assert tables["auth_user"].columns == [
        ("id", "int"),
        ("is_staff", "boolean"),
        ("date_joined", "timestamp"),
    ]


def test_create_update_drop(lake: Settings) -> None:
    report = sync(lake)
    assert not report.failed, report.lines
    glue = _glue(lake)
    names = {t["Name"]: t for t in glue.get_tables(DatabaseName="panorama")["TableList"]}
    assert {
        "openedx_parquet_auth_user",
        "openedx_parquet_courseware_studentmodule",
        "openedx_raw_courseware_studentmodule",
        "openedx_parquet_course_blocks",
    } <= set(names)

    # lms-only tables: partition projection, typed columns
    users = names["openedx_parquet_auth_user"]
    assert users["Parameters"]["projection.enabled"] == "true"
    assert users["Parameters"]["projection.lms.values"] == HOST
    assert users["Parameters"]["storage.location.template"].endswith("/lake/openedx/auth_user/lms=${lms}/")
    assert [(c["Name"], c["Type"]) for c in users["StorageDescriptor"]["Columns"]] == [
        ("id", "int"),
        ("is_staff", "boolean"),
        ("date_joined", "timestamp"),
    ]
    assert [k["Name"] for k in users["PartitionKeys"]] == ["lms"]

    # field partitions: explicit partitions, each format reading only its own files through manifests
    raw = names["openedx_raw_courseware_studentmodule"]
    assert raw["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("OpenCSVSerde")
    assert raw["Parameters"]["skip.header.line.count"] == "1"
    assert all(c["Type"] == "string" for c in raw["StorageDescriptor"]["Columns"])
    for fmt, table in (
        ("parquet", "openedx_parquet_courseware_studentmodule"),
        ("csv", "openedx_raw_courseware_studentmodule"),
    ):
        parts = glue.get_partitions(DatabaseName="panorama", TableName=table)["Partitions"]
        assert sorted(p["Values"] for p in parts) == [[HOST, c] for c in COURSES]
        location = parts[0]["StorageDescriptor"]["Location"]
        assert f"/athena_manifests/{fmt}/courseware_studentmodule/lms={HOST}/course_id=" in location
        s3 = boto3.client("s3", endpoint_url=lake.lake.s3.endpoint_url, region_name="us-east-1")
        bucket, key = location[len("s3://") :].split("/", 1)
        manifest = s3.get_object(Bucket=bucket, Key=key + "manifest")["Body"].read().decode()
        assert manifest.strip().endswith(f"courseware_studentmodule.{fmt}") and manifest.count("\n") == 1

    # every view went through Athena and succeeded
    queries = _queries(lake)
    assert any(
        q.startswith('CREATE OR REPLACE VIEW "openedx_table_courseware_studentmodule"') for q in queries
    )
    assert ("view openedx_table_auth_user", "ok", "created or replaced") in report.lines

    # update: a course leaves the lake, a column appears
    storage = LakeStorage(lake.lake_root, lake.lake.s3)
    from urllib.parse import quote

    gone = f"openedx/courseware_studentmodule/lms={HOST}/course_id={quote(COURSES[1], safe='')}"
    for fmt in ("parquet", "csv"):
        storage.delete(f"{gone}/courseware_studentmodule.{fmt}")
    users2 = pa.table(
        {
            "id": pa.array([1], pa.int32()),
            "is_staff": [True],
            "date_joined": pa.array([1], pa.timestamp("us", tz="UTC")),
            "email": ["x@y"],
        }
    )
    _write(storage, f"openedx/auth_user/lms={HOST}/auth_user.parquet", users2, "parquet")
    report = sync(lake, create_database=False)
    assert not report.failed, report.lines
    parts = glue.get_partitions(DatabaseName="panorama", TableName="openedx_parquet_courseware_studentmodule")
    assert [p["Values"] for p in parts["Partitions"]] == [[HOST, COURSES[0]]]
    users = glue.get_table(DatabaseName="panorama", Name="openedx_parquet_auth_user")["Table"]
    assert users["StorageDescriptor"]["Columns"][-1] == {"Name": "email", "Type": "string"}

    report = drop(lake, drop_database=True)
    assert not report.failed, report.lines
    assert ("database panorama", "ok", "dropped") in report.lines
    assert any(q == 'DROP VIEW IF EXISTS "openedx_table_auth_user"' for q in _queries(lake))


def test_view_casts_csv_text_by_type(lake: Settings) -> None:
    storage = LakeStorage(lake.lake_root, lake.lake.s3)
    [sm] = [t for t in lake_tables(lake, storage) if t.name == "courseware_studentmodule"]
    sm.formats = {"csv"}
    sql = view_sql("panorama", "openedx", sm)
    assert sql.startswith('CREATE OR REPLACE VIEW "openedx_table_courseware_studentmodule" AS SELECT ')
    assert 'TRY_CAST("id" AS BIGINT) AS "id"' in sql and 'TRY_CAST("grade" AS DOUBLE) AS "grade"' in sql
    assert '"state" AS "state"' in sql  # text as is: no NULLIF(x, 'NULL') turning the word NULL into NULL
    assert sql.endswith('"lms", "course_id" FROM "panorama"."openedx_raw_courseware_studentmodule"')


@pytest.fixture
def slow_athena(s3_endpoint: str) -> Iterator[None]:
    """Make moto's Athena queries stay QUEUED/RUNNING for a number of polls (moto's state manager)."""

    def transition(times: int | None) -> None:
        if times is None:
            httpx.post(
                f"{s3_endpoint}/moto-api/state-manager/unset-transition",
                json={"model_name": "athena::execution"},
            )
        else:
            httpx.post(
                f"{s3_endpoint}/moto-api/state-manager/set-transition",
                json={
                    "model_name": "athena::execution",
                    "transition": {"progression": "manual", "times": times},
                },
            )

    transition(3)
    yield
    transition(None)


def test_queries_are_polled_to_their_final_state(lake: Settings, slow_athena: None) -> None:
    outcome = Athena(lake).run("SELECT 1")
    assert outcome.ok and outcome.state == "SUCCEEDED" and outcome.query_id


def test_query_timeout_fails_the_command(lake: Settings, s3_endpoint: str, tmp_path: Path) -> None:
    httpx.post(
        f"{s3_endpoint}/moto-api/state-manager/set-transition",
        json={"model_name": "athena::execution", "transition": {"progression": "manual", "times": 10_000}},
    )
    try:
        config = tmp_path / "learnlake.yaml"
        settings = lake.model_dump(mode="json")
        settings["lake"]["athena"]["query_timeout_s"] = 0.5
        config.write_text(json.dumps(settings))
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "learnlake",
                "--config",
                str(config),
                "catalog",
                "create",
                "-t",
                "auth_user",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ},
        )
    finally:
        httpx.post(
            f"{s3_endpoint}/moto-api/state-manager/unset-transition", json={"model_name": "athena::execution"}
        )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL view openedx_table_auth_user" in proc.stdout
    assert "TIMEOUT: still running after 0.5 s" in proc.stdout
    assert "ok   table openedx_parquet_auth_user" in proc.stdout


def test_failed_and_cancelled_states_carry_athenas_reason() -> None:
    failed = {
        "QueryExecution": {
            "QueryExecutionId": "q1",
            "Status": {"State": "FAILED", "StateChangeReason": "line 1:8: Column 'x' cannot be resolved"},
        }
    }
    outcome = outcome_of("SELECT x", failed)
    assert outcome is not None and not outcome.ok
    assert (outcome.state, outcome.reason, outcome.query_id) == (
        "FAILED",
        "line 1:8: Column 'x' cannot be resolved",
        "q1",
    )
    cancelled = {
        "QueryExecution": {"Status": {"State": "CANCELLED", "AthenaError": {"ErrorMessage": "by user"}}}
    }
    assert (
        outcome_of("q", cancelled) == outcome_of("q", cancelled)
        and outcome_of("q", cancelled).reason == "by user"
    )  # type: ignore[union-attr]
    assert outcome_of("q", {"QueryExecution": {"Status": {"State": "RUNNING"}}}) is None


def test_local_lake_or_no_database_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "learnlake.yaml"
    config.write_text(json.dumps({"data_dir": str(tmp_path / "d"), "lake": {"athena": {"database": "x"}}}))
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "--config", str(config), "catalog", "create"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "needs the lake on S3" in proc.stderr
