"""Several LMS sites share one lake: each has its own partition, checkpoints and counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest_helpers import make_events, settings_for, to_lines, write_log

from learnlake.warehouse import open_warehouse


def test_two_sites_in_one_lake(tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any) -> None:
    write_log(tmp_path / "a" / "tracking.log", to_lines(make_events(templates, 300, seed=31)))
    write_log(tmp_path / "b" / "tracking.log", to_lines(make_events(templates, 200, seed=32)))
    lake = str(tmp_path / "lake")
    site_a = settings_for(tmp_path / "data", lake={"root": lake}, site={"lms_host": "lms-a.example.org"})
    site_b = settings_for(tmp_path / "data", lake={"root": lake}, site={"lms_host": "lms-b.example.org"})
    assert run_ingest(site_a, [tmp_path / "a"]).events_written == 300
    assert run_ingest(site_b, [tmp_path / "b"]).events_written == 200
    # the same file for the other site is that site's data (its own checkpoints)
    assert run_ingest(site_b, [tmp_path / "a"]).events_written == 300
    warehouse = open_warehouse(site_a)
    warehouse.refresh()
    rows = warehouse.rows("SELECT lms, count(*) AS n FROM tracking_events GROUP BY lms ORDER BY lms")
    assert rows == [{"lms": "lms-a.example.org", "n": 300}, {"lms": "lms-b.example.org", "n": 500}]
    n = warehouse.rows(
        "SELECT count(*) AS n FROM xapi_events_all_parsed WHERE lms = ?", ["lms-a.example.org"]
    )
    assert n[0]["n"] >= 0
