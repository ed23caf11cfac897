"""`learnlake check` contacts every configured target for real: MariaDB, SQLite, S3, Glue/Athena,
the LMS OAuth2 endpoint, and reports an unreachable MySQL and MongoDB as failures (issue 5)."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from learnlake.check.probes import run_checks
from learnlake.config import Settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _good(tmp_path: Path, mariadb_url: str, s3_bucket: str, s3_endpoint: str) -> dict[str, Any]:
    db = tmp_path / "lms.sqlite"
    sqlite3.connect(db).close()
    boto3.client("glue", endpoint_url=s3_endpoint, region_name="us-east-1").create_database(
        DatabaseInput={"Name": f"db_{s3_bucket.replace('-', '_')}"}
    )
    return {
        "data_dir": str(tmp_path / "data"),
        "tracking_logs": {"paths": [str(tmp_path)]},
        "lake": {
            "root": f"s3://{s3_bucket}/lake",
            "s3": {"endpoint_url": s3_endpoint},
            "athena": {"database": f"db_{s3_bucket.replace('-', '_')}", "endpoint_url": s3_endpoint},
        },
        "extract": {
            "datasources": [
                {"name": "lms", "type": "mysql", "url": mariadb_url},
                {"name": "local", "type": "sqlite", "url": f"sqlite:///{db}"},
            ]
        },
    }


def test_all_targets_ok(tmp_path: Path, mariadb_url: str, s3_bucket: str, s3_endpoint: str) -> None:
    settings = Settings.model_validate(_good(tmp_path, mariadb_url, s3_bucket, s3_endpoint))
    results = run_checks(settings)
    assert [r.target.split()[0] for r in results] == [
        "tracking_logs",
        "datasource",
        "datasource",
        "lake",
        "athena",
    ]
    assert all(r.ok for r in results), results
    assert all(r.latency_ms > 0 for r in results)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    assert s3.list_objects_v2(Bucket=s3_bucket).get("KeyCount", 0) == 0  # the probe object was deleted


def test_failures_are_lines_and_exit_1(
    tmp_path: Path, mariadb_url: str, s3_bucket: str, s3_endpoint: str
) -> None:
    doc = _good(tmp_path, mariadb_url, s3_bucket, s3_endpoint)
    port = _closed_port()
    doc["extract"]["datasources"] += [
        {"name": "down", "type": "mysql", "url": f"mysql://root@127.0.0.1:{port}/edxapp"},
        {
            "name": "mongo",
            "type": "openedx_course_structures",
            "mongodb_url": f"mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=500",
        },
        {"name": "gone", "type": "sqlite", "url": f"sqlite:///{tmp_path}/missing.sqlite"},
        {
            "name": "api",
            "type": "course_blocks_api",
            "url": f"http://127.0.0.1:{port}",
            "client_id": "c",
            "client_secret": "s",
        },
    ]
    doc["lake"]["athena"]["database"] = "no_such_database"
    doc["warehouse"] = {"engine": "clickhouse", "clickhouse": {"url": f"http://127.0.0.1:{port}"}}
    config = tmp_path / "learnlake.yaml"
    config.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "--config", str(config), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    status = {line.split(" [")[0][5:]: line[:4] for line in lines}
    assert status == {
        f"tracking_logs {tmp_path}": "ok  ",
        "datasource lms": "ok  ",
        "datasource local": "ok  ",
        "datasource down": "FAIL",
        "datasource mongo mongodb": "FAIL",
        "datasource gone": "FAIL",
        "datasource api oauth2": "FAIL",
        f"lake s3://{s3_bucket}/lake": "ok  ",
        "athena primary": "FAIL",
        f"warehouse http://127.0.0.1:{port}": "FAIL",
    }, proc.stdout
    text = proc.stdout
    assert "OperationalError" in text and "ServerSelectionTimeoutError" in text and "ConnectError" in text
    assert "no SQLite database" in text and "EntityNotFoundException" in text
    assert not (tmp_path / "missing.sqlite").exists()  # the check did not create it

    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "--config", str(config), "--json", "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = json.loads(proc.stdout)
    assert summary["ok"] is False and len(summary["targets"]) == len(lines)
    assert all(isinstance(t["latency_ms"], float) for t in summary["targets"])


def test_postgresql_source(tmp_path: Path) -> None:
    """A PostgreSQL datasource is probed with SELECT 1 (the local server, when the machine runs one)."""
    import psycopg
    import pytest

    try:
        psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL server reachable as postgres@127.0.0.1: {exc}")
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path / "data"),
            "extract": {
                "datasources": [
                    {
                        "name": "pg",
                        "type": "postgresql",
                        "url": "postgresql://postgres@127.0.0.1:5432/postgres",
                    },
                    {
                        "name": "pg-bad-db",
                        "type": "postgresql",
                        "url": "postgresql://postgres@127.0.0.1/nope_db",
                    },
                ]
            },
        }
    )
    results = {r.target: r for r in run_checks(settings)}
    assert results["datasource pg"].ok, results["datasource pg"]
    assert results["datasource pg"].detail.startswith("SELECT 1 on postgresql+psycopg://postgres@127.0.0.1")
    bad = results["datasource pg-bad-db"]
    assert not bad.ok and "nope_db" in bad.detail
