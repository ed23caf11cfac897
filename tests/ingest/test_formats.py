"""Every input format ingests the same events; bad input is quarantined with position and reason."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import zstandard
from ingest_helpers import key_of, lake_rows, make_events, settings_for, to_lines, write_log


def test_every_format_gives_the_same_events(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 600, seed=1))
    parts = [lines[i : i + 100] for i in range(0, 600, 100)]
    logs = tmp_path / "logs"
    write_log(logs / "tracking.log", parts[0])
    write_log(logs / "tracking.log.1.gz", parts[1], "gz")
    # concatenated gzip members (what `cat a.gz b.gz` and some rotators produce)
    (logs / "tracking.log.2.gz").write_bytes(
        gzip.compress(b"".join(x + b"\n" for x in parts[2][:50]))
        + gzip.compress(b"".join(x + b"\n" for x in parts[2][50:]))
    )
    write_log(logs / "tracking.log.3.bz2", parts[3], "bz2")
    # zstd with two frames
    zc = zstandard.ZstdCompressor()
    (logs / "tracking.log.4.zst").write_bytes(
        zc.compress(b"".join(x + b"\n" for x in parts[4][:30]))
        + zc.compress(b"".join(x + b"\n" for x in parts[4][30:]))
    )
    # syslog prefixes, CRLF, blank lines and comments; rotated name without a compression suffix
    prefixed = [b"Mar  1 08:00:00 lms-1 tracking[1234]: " + x for x in parts[5]]
    body = b"# comment line\n\n" + b"\r\n".join(prefixed) + b"\r\n\n"
    (logs / "tracking.log-20240301").write_bytes(gzip.compress(body))

    settings = settings_for(tmp_path / "data")
    summary = run_ingest(settings, [logs])
    assert summary.files == 6 and summary.files_read == 6
    assert summary.events == 600 and summary.events_written == 600
    stages = {r[0] for r in lake_rows(settings, "quarantine", "stage")}
    assert stages <= {"xapi"}  # nothing unreadable (the xAPI transformer may reject some events)
    assert summary.skipped_lines == 1  # the comment
    keys = {r[0] for r in lake_rows(settings, "tracking_events", "event_key")}
    assert keys == {key_of(x) for x in lines}


def test_bad_input_goes_to_quarantine_with_reason(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    good = to_lines(make_events(templates, 40, seed=2))
    logs = tmp_path / "logs"
    bad_utf8 = good[1][:-2] + b'\xff\xfe"}'
    big = b'{"name": "x", "time": "2024-03-01T00:00:00+00:00", "pad": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    no_time = b'{"name": "edx.course.enrollment.activated", "context": {"user_id": 1}}'
    lines = [good[0], b"{not json", bad_utf8, big, no_time, good[2], b"just text", good[3]]
    write_log(logs / "tracking.log", lines)
    # truncated gzip: the first 30 events survive, the cut line is quarantined
    full = gzip.compress(b"".join(x + b"\n" for x in good[4:40]))
    (logs / "tracking.log.1.gz").write_bytes(full[: int(len(full) * 0.8)])

    settings = settings_for(tmp_path / "data")
    summary = run_ingest(settings, [logs])
    rows = [
        r
        for r in lake_rows(
            settings, "quarantine", "source, byte_offset, line_number, stage, reason, raw_size"
        )
        if r[3] != "xapi"
    ]
    reasons = {(Path(r[0]).name, r[2]): r[4] for r in rows}
    assert reasons[("tracking.log", 2)].startswith("invalid JSON")
    assert reasons[("tracking.log", 3)].startswith("invalid UTF-8")
    assert reasons[("tracking.log", 4)].startswith("line longer than")
    assert reasons[("tracking.log", 5)] == "event has no time"
    assert reasons[("tracking.log", 7)] == "no JSON object in line"
    truncated = [r for r in rows if r[0].endswith(".gz")]
    assert len(truncated) == 1 and truncated[0][4].startswith("truncated gzip stream")
    offsets = {r[2]: r[1] for r in rows if r[0].endswith("tracking.log")}
    assert offsets[2] == len(good[0]) + 1  # byte offset of line 2
    big_row = next(r for r in rows if r[2] == 4)
    assert big_row[5] == len(big) + 1 or big_row[5] >= len(big)
    keys = {r[0] for r in lake_rows(settings, "tracking_events", "event_key")}
    assert {key_of(x) for x in (good[0], good[2], good[3])} <= keys
    kept_from_gz = {key_of(x) for x in good[4:40]} & keys
    assert 20 <= len(kept_from_gz) < 36  # the good part of the truncated file is kept
    assert len(rows) == 6
    assert summary.quarantined == len(lake_rows(settings, "quarantine", "quarantine_id"))
    # a second run adds nothing, not even quarantine rows
    before = lake_rows(settings, "quarantine", "quarantine_id")
    again = run_ingest(settings, [logs])
    assert again.events == 0 and again.quarantined == 0
    assert lake_rows(settings, "quarantine", "quarantine_id") == before
