"""`learnlake lake compact` and `learnlake replay` are mounted in the main CLI and keep the lake's rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ingest_helpers import lake_rows, make_events, settings_for, to_lines, write_config, write_log


def _learnlake(config: Path, *args: str, ok: tuple[int, ...] = (0,)) -> dict[str, Any]:
    argv = [sys.executable, "-m", "learnlake", "--config", str(config), "--json", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode in ok, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def test_lake_compact_and_replay_commands(tmp_path: Path, templates: list[dict[str, Any]]) -> None:
    data = tmp_path / "data"
    config = write_config(tmp_path / "learnlake.yaml", data, privacy={"pii": True})
    lines = to_lines(make_events(templates, 900, seed=31))
    for i in range(3):  # three runs: up to three files per partition
        log = write_log(tmp_path / "logs" / f"tracking.log.{i}", lines[i * 300 : (i + 1) * 300])
        _learnlake(config, "ingest", "tracking-logs", str(log), ok=(0, 3))  # 3: some quarantined
    settings = settings_for(data, privacy={"pii": True}, site={"lms_root_url": "https://lms.example.org"})
    before = {t: lake_rows(settings, t) for t in ("tracking_events", "xapi_events_all")}
    assert before["xapi_events_all"]

    compacted = _learnlake(config, "lake", "compact", "--min-files", "2")
    assert compacted["files_after"] <= compacted["files_before"]
    assert {t: lake_rows(settings, t) for t in before} == before

    replayed = _learnlake(config, "replay", "--since", "2000-01-01")
    assert replayed["days"] >= 1 and replayed["statements"] >= len(before["xapi_events_all"])
    assert lake_rows(settings, "xapi_events_all") == before["xapi_events_all"]
