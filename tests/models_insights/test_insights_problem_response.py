"""Insights' problem response report: both shipped report files reproduced exactly, in order."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from insights_support import built, course_blocks_from_rest, parse_log, rows, settings_table


def test_problem_response_fixture(shared_dir: Path) -> None:
    case = shared_dir / "conformance" / "insights" / "problem_response"
    expected = json.loads((case / "expected.json").read_text())["reports"]
    blocks = [
        json.loads(line) for line in (case / "inputs" / "course_blocks.json").read_text().splitlines() if line
    ]
    inputs = {
        "tracking_events": parse_log(case / "inputs" / "problem_response_tracking.log"),
        "course_blocks": course_blocks_from_rest(blocks),
        "model_settings": settings_table(("2016-09-07", "2016-09-08")),
    }
    columns = next(iter(expected.values()))["columns"]
    rows("problem_response", inputs, ["course_id", "sort_idx", *columns])  # DuckDB and chDB agree
    report_rows = built("problem_response", inputs)
    assert sorted({r["course_id"] for r in report_rows}) == sorted(
        report["course_id"] for report in expected.values()
    )
    for name, report in expected.items():
        mine = sorted(
            (r for r in report_rows if r["course_id"] == report["course_id"]),
            key=lambda r: (r["sort_idx"], r["username"], r["answer_id"]),
        )
        got = [[str(r[c]) for c in report["columns"]] for r in mine]
        assert got == report["rows"], name
        # the shipped CSV file itself (CRLF line ends, minimal quoting)
        with (case / "expected" / name).open(newline="") as fh:
            assert [report["columns"], *got] == list(csv.reader(fh))
