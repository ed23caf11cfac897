"""Insights' video report: the shipped fixture reproduced exactly (video and video_timeline)."""

from __future__ import annotations

import json
from pathlib import Path

from insights_support import parse_log, rows, settings_table, sort_key


def test_video_fixture(shared_dir: Path) -> None:
    case = shared_dir / "conformance" / "insights" / "video"
    expected = json.loads((case / "expected.json").read_text())["tables"]
    inputs = {
        "tracking_events": parse_log(case / "inputs" / "video_timeline.log"),
        "model_settings": settings_table(("2014-05-01", "2014-05-06")),
    }
    for table in ("video", "video_timeline"):
        want = sorted((tuple(r) for r in expected[table]["rows"]), key=sort_key)
        assert rows(table, inputs, expected[table]["columns"]) == want, table


def test_video_interval_excludes_viewings_outside(shared_dir: Path) -> None:
    case = shared_dir / "conformance" / "insights" / "video"
    inputs = {
        "tracking_events": parse_log(case / "inputs" / "video_timeline.log"),
        "model_settings": settings_table(("2014-05-03", "2014-05-06")),
    }
    assert rows("video", inputs, ["pipeline_video_id"]) == []
