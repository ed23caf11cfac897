"""The tracking log files: names, rotation, reproducible gzip, line format, time order and range."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import struct
from pathlib import Path

import orjson
from synth_helpers import LOG_NAME, SMALL, CountingReporter, log_files, read_lines

from learnlake.synth.logwriter import gzip_bytes, split_lines
from learnlake.synth.site import SynthSummary


def _day_of(path: Path) -> dt.date:
    match = LOG_NAME.match(path.name)
    if match:
        return dt.datetime.strptime(match.group(1), "%Y%m%d").date()
    return SMALL.start + dt.timedelta(days=SMALL.days - 1)  # the live log holds the last day


def test_one_or_more_rotated_files_per_day_and_a_live_log(site: Path) -> None:
    files = log_files(site)
    assert files[-1].name == "tracking.log"
    per_day: dict[str, list[int]] = {}
    for path in files[:-1]:
        match = LOG_NAME.match(path.name)
        assert match, path.name
        per_day.setdefault(match.group(1), []).append(int(match.group(2)))
    first = SMALL.start
    expected_days = [(first + dt.timedelta(days=i)).strftime("%Y%m%d") for i in range(SMALL.days - 1)]
    assert sorted(per_day) == expected_days
    for numbers in per_day.values():
        assert numbers == list(range(1, len(numbers) + 1))
    assert any(len(n) > 1 for n in per_day.values()), "no day was big enough to rotate by size"
    for path in files[:-1]:
        assert len(gzip.decompress(path.read_bytes())) <= SMALL.max_log_bytes


def test_gzip_headers_are_reproducible(site: Path) -> None:
    for path in log_files(site)[:-1]:
        head = path.read_bytes()[:10]
        magic, method, flags, mtime = struct.unpack("<HBBI", head[:8])
        assert (magic, method) == (0x8B1F, 8)
        assert flags == 0, "no file name or other optional fields in the header"
        assert mtime == 0


def test_lines_are_compact_json_in_time_order_within_the_day(site: Path) -> None:
    start = dt.datetime.combine(SMALL.start, dt.time(), tzinfo=dt.UTC)
    end = start + dt.timedelta(days=SMALL.days)
    for path in log_files(site):
        day = _day_of(path)
        previous = ""
        for line in read_lines(path):
            event = orjson.loads(line)
            assert orjson.dumps(event) == line, "lines are compact JSON as orjson writes them"
            stamp = event["time"]
            assert stamp >= previous, f"{path.name}: {stamp} after {previous}"
            previous = stamp
            when = dt.datetime.fromisoformat(stamp)
            assert start <= when < end
            assert when.date() == day, f"{path.name} holds an event of {when.date()}"


def test_summary_counts_what_was_written(
    site_run: tuple[Path, SynthSummary, CountingReporter],
    events: list[dict],  # type: ignore[type-arg]
) -> None:
    out, summary, reporter = site_run
    orjson.dumps(dataclasses.asdict(summary))  # what `learnlake --json synth` prints
    assert summary.events == len(events) == reporter.done
    counts: dict[str, int] = {}
    for event in events:
        counts[event["name"]] = counts.get(event["name"], 0) + 1
    assert summary.events_by_name == dict(sorted(counts.items()))
    for name in summary.files:
        assert (out / name).is_file(), name
    assert (out / "lms.sqlite").is_file()
    olx = sorted(p.name for p in (out / "courses").iterdir())
    assert olx == sorted(f"{key}.tar.gz" for key in summary.courses)
    site_json = orjson.loads((out / "site.json").read_bytes())
    assert site_json["events"] == summary.events
    assert site_json["first_day"] == SMALL.start.isoformat()
    assert len(site_json["courses"]) == SMALL.courses


def test_split_lines_cuts_only_at_line_ends() -> None:
    data = b"".join(b"x" * n + b"\n" for n in (5, 9, 3, 20, 1, 7))
    pieces = split_lines(data, 12)
    assert b"".join(pieces) == data
    assert all(p.endswith(b"\n") for p in pieces)
    assert all(len(p) <= 12 or p.count(b"\n") == 1 for p in pieces)
    assert split_lines(b"", 10) == [b""]


def test_gzip_bytes_round_trip_and_are_stable() -> None:
    data = b'{"a":1}\n' * 1000
    once = gzip_bytes(data)
    assert once == gzip_bytes(data)
    assert gzip.decompress(once) == data
