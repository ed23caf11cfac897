"""`tracking_logs.copy_raw`: the lines read are copied, gzipped, to
<prefix>/tracking_logs/lms=<host>/year=/month=/day=/, incrementally and exactly once, locally and on S3."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from ingest_helpers import make_events, settings_for, to_lines, write_log

LAYOUT = re.compile(
    r"openedx/tracking_logs/lms=lms\.example\.org/year=\d{4}/month=\d\d/day=\d\d/"
    r"(tracking\.log(?:\.1)?)-\d{8}T\d{12}-[0-9a-f]{8}\.gz$"
)


def _copied(objects: dict[str, bytes]) -> dict[str, list[bytes]]:
    """Lines of the copy per source file name (sorted: exactly once, whatever the file order)."""
    out: dict[str, list[bytes]] = {}
    for key in sorted(objects):
        m = LAYOUT.search(key)
        assert m, f"unexpected raw copy path {key}"
        out.setdefault(m.group(1), []).extend(gzip.decompress(objects[key]).splitlines())
    return {name: sorted(got) for name, got in out.items()}


def _local_copies(root: Path) -> dict[str, bytes]:
    base = root / "openedx" / "tracking_logs"
    return {str(p.relative_to(root)): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def test_raw_copy_local_is_incremental_and_exactly_once(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 600, seed=21))
    logs = tmp_path / "logs"
    write_log(logs / "tracking.log.1.gz", lines[:300], "gz")
    write_log(logs / "tracking.log", lines[300:450])
    settings = settings_for(tmp_path / "data", tracking_logs={"batch_rows": 100, "copy_raw": True})
    root = Path(settings.lake_root)

    first = run_ingest(settings, [logs])
    assert first.raw_files_copied >= 2
    copies = _copied(_local_copies(root))
    assert copies == {"tracking.log.1": sorted(lines[:300]), "tracking.log": sorted(lines[300:450])}
    assert not [p for p in root.rglob(".*.tmp")]  # nothing left staged

    again = run_ingest(settings, [logs])  # unchanged sources: no new copy
    assert again.raw_files_copied == 0
    assert _copied(_local_copies(root)) == copies

    write_log(logs / "tracking.log", lines[450:], mode="ab")  # the live file grows
    third = run_ingest(settings, [logs])
    assert third.events_written == 150 and third.raw_files_copied >= 1
    assert _copied(_local_copies(root)) == {
        "tracking.log.1": sorted(lines[:300]),
        "tracking.log": sorted(lines[300:]),
    }


def test_raw_copy_is_off_by_default(tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any) -> None:
    write_log(tmp_path / "logs" / "tracking.log", to_lines(make_events(templates, 20, seed=22)))
    settings = settings_for(tmp_path / "data")
    assert run_ingest(settings, [tmp_path / "logs"]).raw_files_copied == 0
    assert not (Path(settings.lake_root) / "openedx" / "tracking_logs").exists()


def test_raw_copy_on_s3(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any, s3_endpoint: str, s3_bucket: str
) -> None:
    lines = to_lines(make_events(templates, 300, seed=23))
    write_log(tmp_path / "logs" / "tracking.log.1.gz", lines[:200], "gz")
    write_log(tmp_path / "logs" / "tracking.log", lines[200:])
    settings = settings_for(
        tmp_path / "data",
        tracking_logs={"batch_rows": 100, "copy_raw": True},
        lake={"root": f"s3://{s3_bucket}/rawcopy", "s3": {"endpoint_url": s3_endpoint}},
    )
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")

    def objects() -> dict[str, bytes]:
        listed = s3.list_objects_v2(Bucket=s3_bucket, Prefix="rawcopy/openedx/tracking_logs/")
        return {
            o["Key"]: s3.get_object(Bucket=s3_bucket, Key=o["Key"])["Body"].read()
            for o in listed.get("Contents", [])
        }

    run_ingest(settings, [tmp_path / "logs"])
    first = objects()
    assert _copied(first) == {"tracking.log.1": sorted(lines[:200]), "tracking.log": sorted(lines[200:])}
    assert run_ingest(settings, [tmp_path / "logs"]).raw_files_copied == 0
    assert objects().keys() == first.keys()


@pytest.mark.parametrize("point", ["staged-file", "committed"])
def test_raw_copy_survives_sigkill(
    tmp_path: Path, templates: list[dict[str, Any]], point: str, run_ingest: Any
) -> None:
    import json
    import os
    import subprocess

    from ingest_helpers import cli_args, write_config

    lines = to_lines(make_events(templates, 400, seed=24))
    write_log(tmp_path / "logs" / "tracking.log.1.gz", lines[:200], "gz")
    write_log(tmp_path / "logs" / "tracking.log", lines[200:])
    cfg = write_config(
        tmp_path / "learnlake.yaml",
        tmp_path / "data",
        tracking_logs={"batch_rows": 50, "copy_raw": True},
    )
    env = {**os.environ, "LEARNLAKE_CRASH_AT": f"{point}:3"}
    args = cli_args(cfg, "--json", "ingest", "tracking-logs", str(tmp_path / "logs"), "--workers", "0")
    killed = subprocess.run(args, env=env, capture_output=True)
    assert killed.returncode == -9
    done = subprocess.run(args, capture_output=True)
    assert done.returncode in (0, 3), done.stderr.decode()[-2000:]
    assert json.loads(done.stdout)["recovered"]
    copies = _copied(_local_copies(tmp_path / "data" / "lake"))
    assert copies == {"tracking.log.1": sorted(lines[:200]), "tracking.log": sorted(lines[200:])}
