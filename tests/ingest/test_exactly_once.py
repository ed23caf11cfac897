"""Re-ingesting the same events adds nothing: copies, overlapping rotated sets, S3 replays."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ingest_helpers import key_of, lake_rows, make_events, settings_for, to_lines, write_log


def _keys(settings: Any) -> list[str]:
    return [r[0] for r in lake_rows(settings, "tracking_events", "event_key")]


def test_same_files_twice_and_copies(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 400, seed=7))
    logs = tmp_path / "logs"
    write_log(logs / "tracking.log.1.gz", lines[:200], "gz")
    write_log(logs / "tracking.log", lines[200:])
    settings = settings_for(tmp_path / "data", batch_rows=150)
    assert run_ingest(settings, [logs]).events_written == 400
    before = lake_rows(settings, "tracking_events")
    again = run_ingest(settings, [logs])
    assert again.events == 0 and again.bytes_read == 0
    shutil.copytree(logs, tmp_path / "copy")  # same content elsewhere: identified by content
    copy = run_ingest(settings, [tmp_path / "copy"])
    assert copy.events == 0 and copy.events_written == 0
    assert lake_rows(settings, "tracking_events") == before
    keys = _keys(settings)
    assert len(keys) == len(set(keys)) == 400


def test_overlapping_rotated_copies(tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any) -> None:
    lines = to_lines(make_events(templates, 300, seed=8))
    logs = tmp_path / "logs"
    write_log(logs / "a" / "tracking.log", lines[:100])
    write_log(logs / "b" / "tracking.log.1.gz", lines[:150], "gz")  # rotated copy with more lines
    write_log(logs / "c" / "tracking.log-2024", lines[50:300])  # overlap starting mid-way
    settings = settings_for(tmp_path / "data", batch_rows=70)
    summary = run_ingest(settings, [logs])
    assert summary.events_written == 300
    assert summary.events == 100 + 50 + 250  # b read from line 101 on (same content as a)
    assert summary.duplicates == 100  # c's first 100 lines were stored already
    keys = _keys(settings)
    assert sorted(keys) == sorted(key_of(x) for x in lines)


def test_s3_replay_of_locally_read_files(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any, s3_endpoint: str, s3_bucket: str
) -> None:
    import boto3

    lines = to_lines(make_events(templates, 300, seed=9))
    logs = tmp_path / "logs"
    write_log(logs / "tracking.log.1.gz", lines[:120], "gz")
    write_log(logs / "tracking.log", lines[120:200])
    settings = settings_for(tmp_path / "data", lake={"s3": {"endpoint_url": s3_endpoint}})
    assert run_ingest(settings, [logs]).events_written == 200
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    for p in logs.iterdir():
        s3.upload_file(str(p), s3_bucket, f"logs/{p.name}")
    # the live file kept growing before it was shipped
    write_log(tmp_path / "later.log", lines[120:300])
    s3.upload_file(str(tmp_path / "later.log"), s3_bucket, "logs/tracking.log.0")
    replay = run_ingest(settings, [f"s3://{s3_bucket}/logs"])
    assert replay.files == 3
    # the two shipped copies are known by content; the grown one is read from where the local left off
    assert replay.files_unchanged == 2
    assert replay.events == 100 and replay.events_written == 100 and replay.duplicates == 0
    assert sorted(_keys(settings)) == sorted(key_of(x) for x in lines)
    assert run_ingest(settings, [f"s3://{s3_bucket}/logs"]).bytes_read == 0
