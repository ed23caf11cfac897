"""With worker processes (which then parse every chunk), the lake is the same as in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest_helpers import lake_snapshot, make_events, settings_for, to_lines, write_log


def test_workers_and_main_process_give_the_same_lake(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 1500, seed=41))
    lines[100] = b"{not json"
    lines[900] = b'{"event_type": "x"}'  # no time
    logs = tmp_path / "logs"
    write_log(logs / "tracking.log.1.gz", lines[:700], "gz")
    write_log(logs / "tracking.log", lines[700:])
    results = {}
    for workers in (0, 1):
        # small batches, so chunks of ~75 events: many chunks, results taken back in order
        settings = settings_for(tmp_path / f"data{workers}", batch_rows=300)
        summary = run_ingest(settings, [logs], workers=workers)
        results[workers] = (summary, lake_snapshot(settings))
    here, parallel = results[0][0], results[1][0]
    assert here.chunks_in_workers == 0 and here.chunks >= 15
    assert parallel.chunks_in_workers == parallel.chunks == here.chunks
    assert results[1][1] == results[0][1]
    assert results[1][1]["quarantine"] and len(results[1][1]["tracking_events"]) == 1498
    for field in ("events", "statements", "quarantined", "not_mapped_by_name", "quarantined_by_reason"):
        assert getattr(parallel, field) == getattr(here, field), field
