"""A second run reads only what is new: appends, rotations, renames, truncations, replacements."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import Any

from ingest_helpers import key_of, lake_rows, make_events, settings_for, to_lines, write_log


def _keys(settings: Any) -> list[str]:
    return [r[0] for r in lake_rows(settings, "tracking_events", "event_key")]


def test_append_to_live_file_reads_only_new_lines(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 200, seed=3))
    log = tmp_path / "logs" / "tracking.log"
    write_log(log, lines[:100])
    half = lines[100][: len(lines[100]) // 2]
    with open(log, "ab") as fh:
        fh.write(half)  # a line still being written
    settings = settings_for(tmp_path / "data")
    first = run_ingest(settings, [log])
    assert first.events == 100
    with open(log, "ab") as fh:
        fh.write(lines[100][len(half) :] + b"\n")
        fh.write(b"".join(x + b"\n" for x in lines[101:150]))
    appended = sum(len(x) + 1 for x in lines[100:150])
    second = run_ingest(settings, [log])
    assert second.events == 50 and second.bytes_decoded == appended
    third = run_ingest(settings, [log])
    assert third.events == 0 and third.files_unchanged == 1 and third.bytes_read == 0
    assert sorted(_keys(settings)) == sorted(key_of(x) for x in lines[:150])


def test_rotation_rename_and_compression_are_not_read_twice(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 200, seed=4))
    logs = tmp_path / "logs"
    write_log(logs / "tracking.log", lines[:100])
    settings = settings_for(tmp_path / "data")
    assert run_ingest(settings, [logs]).events == 100
    # logrotate: rename (the LMS had written 20 more lines first), new live file
    write_log(logs / "tracking.log", lines[100:120], mode="ab")
    os.rename(logs / "tracking.log", logs / "tracking.log.1")
    write_log(logs / "tracking.log", lines[120:150])
    second = run_ingest(settings, [logs])
    assert second.events == 50 and second.duplicates == 0
    # delaycompress: tracking.log.1 becomes tracking.log.1.gz
    with open(logs / "tracking.log.1", "rb") as src, gzip.open(logs / "tracking.log.1.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.unlink(logs / "tracking.log.1")
    third = run_ingest(settings, [logs])
    assert third.events == 0 and third.duplicates == 0
    assert run_ingest(settings, [logs]).bytes_read == 0  # the .gz is now known as complete
    assert sorted(_keys(settings)) == sorted(key_of(x) for x in lines[:150])


def test_copytruncate_and_replaced_files_are_read_from_the_start(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 300, seed=5))
    log = tmp_path / "logs" / "tracking.log"
    write_log(log, lines[:100])
    settings = settings_for(tmp_path / "data")
    run_ingest(settings, [log.parent])
    # copytruncate: the copy holds what was read; the truncated file gets 10 new lines (shorter)
    shutil.copyfile(log, log.with_name("tracking.log.1"))
    with open(log, "r+b") as fh:
        fh.truncate(0)
    write_log(log, lines[100:110], mode="ab")
    second = run_ingest(settings, [log.parent])
    assert second.events == 10
    # replaced by a new file (new inode) that is longer than the old one
    log.unlink()
    write_log(log, lines[110:300])
    third = run_ingest(settings, [log.parent])
    assert third.events == 190
    assert sorted(_keys(settings)) == sorted(key_of(x) for x in lines)


def test_small_file_that_grows_keeps_its_offset(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 40, seed=6))
    log = tmp_path / "logs" / "tracking.log"
    write_log(log, lines[:1])  # shorter than the 4 KiB fingerprint
    assert log.stat().st_size < 4096
    settings = settings_for(tmp_path / "data")
    assert run_ingest(settings, [log]).events == 1
    write_log(log, lines[1:40], mode="ab")
    second = run_ingest(settings, [log])
    assert second.events == 39 and second.duplicates == 0
    assert sorted(_keys(settings)) == sorted(key_of(x) for x in lines)
