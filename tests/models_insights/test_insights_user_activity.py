"""Insights' weekly user activity (course_activity): the shipped fixture reproduced exactly."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from insights_support import parse_log, rows, settings_table, sort_key


def test_user_activity_fixture(shared_dir: Path) -> None:
    case = shared_dir / "conformance" / "insights" / "user_activity"
    expected = json.loads((case / "expected.json").read_text())["tables"]["course_activity"]
    inputs = {
        "tracking_events": parse_log(case / "inputs" / "user_activity_tracking.log"),
        # --end-date 2014-07-01 --weeks 6: from end-date minus 6 weeks to end-date
        "model_settings": settings_table(("2014-05-20", "2014-07-01")),
    }
    got = [
        (c, str(s), str(e), label, n)
        for c, s, e, label, n in rows("course_activity", inputs, expected["columns"])
    ]
    assert got == sorted((tuple(r) for r in expected["rows"]), key=sort_key)


def test_user_activity_from_the_cli(shared_dir: Path, tmp_path: Path) -> None:
    """What a user runs: one report on given files, the interval in a settings CSV."""
    case = shared_dir / "conformance" / "insights" / "user_activity"
    expected = json.loads((case / "expected.json").read_text())["tables"]["course_activity"]
    events = tmp_path / "tracking_events.parquet"
    pq.write_table(parse_log(case / "inputs" / "user_activity_tracking.log"), events)
    settings = tmp_path / "interval.csv"
    settings.write_text(
        "at_risk_days,active_days,as_of,interval_start,interval_end\n"
        "7,7,2014-07-01 00:00:00,2014-05-20,2014-07-01\n"
    )
    out = tmp_path / "course_activity.csv"
    args = ["models", "run", "course_activity", "--source", f"tracking_events={events}"]
    args += ["--source", f"model_settings={settings}", "--output", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "learnlake", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as fh:
        got = [
            (r["course_id"], r["interval_start"][:19], r["interval_end"][:19], r["label"], int(r["count"]))
            for r in csv.DictReader(fh)
        ]
    assert sorted(got, key=sort_key) == sorted((tuple(r) for r in expected["rows"]), key=sort_key)
