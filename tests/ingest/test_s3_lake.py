"""The lake on S3 (moto server): same layout, same rows, queryable, and exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from ingest_helpers import key_of, make_events, settings_for, to_lines, write_log

from learnlake.warehouse import open_warehouse


def test_lake_on_s3(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any, s3_endpoint: str, s3_bucket: str
) -> None:
    lines = to_lines(make_events(templates, 500, seed=15))
    write_log(tmp_path / "logs" / "tracking.log.1.gz", lines[:250], "gz")
    write_log(tmp_path / "logs" / "tracking.log", lines[250:])
    settings = settings_for(
        tmp_path / "data",
        batch_rows=200,
        lake={"root": f"s3://{s3_bucket}/lake", "s3": {"endpoint_url": s3_endpoint}},
    )
    first = run_ingest(settings, [tmp_path / "logs"])
    assert first.events_written == 500
    keys = [
        o["Key"]
        for o in boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
        .list_objects_v2(Bucket=s3_bucket)
        .get("Contents", [])
    ]
    assert keys and all(k.startswith("lake/openedx/") and k.endswith(".parquet") for k in keys)
    assert any(k.startswith("lake/openedx/tracking_events/lms=lms.example.org/date=2024-") for k in keys)
    # the same events again, from a copy: nothing added
    write_log(tmp_path / "copy" / "all.log", lines)
    again = run_ingest(settings, [tmp_path / "copy"])
    assert again.events_written == 0
    warehouse = open_warehouse(settings)
    warehouse.refresh()
    got = warehouse.query("SELECT event_key, lms FROM tracking_events")
    assert sorted(got.column("event_key").to_pylist()) == sorted(key_of(x) for x in lines)
    assert set(got.column("lms").to_pylist()) == {"lms.example.org"}
    parsed = warehouse.query(
        "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM xapi_events_all_parsed"
    )
    assert parsed.column("n")[0].as_py() == parsed.column("d")[0].as_py()
