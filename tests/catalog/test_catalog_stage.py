"""`learnlake run` keeps the Athena/Glue catalog in line with the lake, sending nothing when unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import httpx
import pytest

from learnlake.config import Settings
from learnlake.pipeline import run_pipeline


def _athena_queries(endpoint: str) -> int:
    athena = boto3.client("athena", endpoint_url=endpoint, region_name="us-east-1")
    return len(athena.list_query_executions()["QueryExecutionIds"])


def test_run_updates_the_catalog(tmp_path: Path, shared_dir: Path, s3_bucket: str, s3_endpoint: str) -> None:
    courses = tmp_path / "courses"
    courses.mkdir()
    shutil.copy(shared_dir / "data/openedx-demo-course/course.tar.gz", courses / "demo.tar.gz")
    database = f"db_{s3_bucket.replace('-', '_')}"
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path / "data"),
            "lake": {
                "root": f"s3://{s3_bucket}/lake",
                "s3": {"endpoint_url": s3_endpoint},
                "athena": {"database": database, "endpoint_url": s3_endpoint, "query_timeout_s": 1},
            },
            "extract": {"datasources": [{"name": "courses", "type": "olx", "location": str(courses)}]},
        }
    )
    stages = ["course-structure", "catalog"]
    first = {r.stage: r for r in run_pipeline(settings, only=stages)}
    assert first["catalog"].status == "ok" and first["catalog"].rows_out > 0
    glue = boto3.client("glue", endpoint_url=s3_endpoint, region_name="us-east-1")
    names = {t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]}
    assert {"openedx_parquet_course_blocks", "openedx_parquet_course_structures"} <= names

    queries = _athena_queries(s3_endpoint)
    again = {r.stage: r for r in run_pipeline(settings, only=stages)}
    assert again["catalog"].rows_out == 0  # nothing changed: no table update, no view query
    assert _athena_queries(s3_endpoint) == queries

    # a view query that never finishes fails the stage, with the reason, and the run says so
    glue.delete_table(DatabaseName=database, Name="openedx_parquet_course_blocks")
    shutil.rmtree(tmp_path / "data" / "state")  # forget what was applied
    httpx.post(
        f"{s3_endpoint}/moto-api/state-manager/set-transition",
        json={"model_name": "athena::execution", "transition": {"progression": "manual", "times": 10_000}},
    )
    try:
        with pytest.raises(RuntimeError, match=r"catalog: view openedx_table_\w+: TIMEOUT: still running"):
            run_pipeline(settings, only=["catalog"])
    finally:
        httpx.post(
            f"{s3_endpoint}/moto-api/state-manager/unset-transition", json={"model_name": "athena::execution"}
        )
    # the Glue tables were still (re)created before the views failed
    assert "openedx_parquet_course_blocks" in {
        t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]
    }
