"""`learnlake ingest tracking-logs` and `learnlake query`: summaries, formats, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import cli_args, make_events, to_lines, write_config, write_log


def test_ingest_and_query_commands(tmp_path: Path, templates: list[dict[str, Any]]) -> None:
    lines = to_lines(make_events(templates, 300, seed=16))
    write_log(tmp_path / "logs" / "tracking.log", [*lines, b"{oops"])
    cfg = write_config(tmp_path / "learnlake.yaml", tmp_path / "data")
    out = subprocess.run(
        cli_args(cfg, "--json", "ingest", "tracking-logs", str(tmp_path / "logs")), capture_output=True
    )
    assert out.returncode == 3, out.stderr.decode()  # finished, something quarantined
    summary = json.loads(out.stdout)
    for key in ("files", "bytes_read", "events", "statements", "not_mapped", "quarantined"):
        assert key in summary
    assert summary["files"] == 1 and summary["events"] == 300 and summary["quarantined"] >= 1
    assert summary["quarantined_by_reason"]["invalid JSON"] == 1

    again = subprocess.run(
        cli_args(cfg, "--json", "ingest", "tracking-logs", str(tmp_path / "logs")), capture_output=True
    )
    assert again.returncode == 0 and json.loads(again.stdout)["events"] == 0

    q = subprocess.run(
        cli_args(cfg, "query", "SELECT count(*) AS n FROM tracking_events", "--format", "json"),
        capture_output=True,
    )
    assert q.returncode == 0 and json.loads(q.stdout) == [{"n": 300}]
    csv = subprocess.run(
        cli_args(cfg, "query", "SELECT reason FROM quarantine WHERE stage = 'parse'", "--format", "csv"),
        capture_output=True,
    )
    assert csv.returncode == 0 and csv.stdout.decode().splitlines()[0] == '"reason"'
    table = subprocess.run(
        cli_args(cfg, "query", "SELECT lms, count(*) FROM tracking_events GROUP BY lms"), capture_output=True
    )
    assert table.returncode == 0 and b"lms.example.org" in table.stdout
    # read-only by default; --write changes a copy that is swapped in
    ro = subprocess.run(cli_args(cfg, "query", "CREATE TABLE t AS SELECT 1 AS x"), capture_output=True)
    assert ro.returncode == 2 and b"read-only" in ro.stderr
    rw = subprocess.run(
        cli_args(cfg, "query", "--write", "CREATE TABLE t AS SELECT 1 AS x"), capture_output=True
    )
    assert rw.returncode == 0, rw.stderr.decode()
    assert json.loads(
        subprocess.run(cli_args(cfg, "query", "SELECT x FROM t", "-f", "json"), capture_output=True).stdout
    ) == [{"x": 1}]


def test_missing_source_is_a_usage_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "learnlake.yaml", tmp_path / "data")
    out = subprocess.run(
        cli_args(cfg, "ingest", "tracking-logs", str(tmp_path / "nope")), capture_output=True
    )
    assert out.returncode == 2 and b"not found" in out.stderr


def test_unmapped_events_stay_raw_and_are_counted(tmp_path: Path, run_ingest: Any) -> None:
    pytest.importorskip("learnlake.xapi")
    from ingest_helpers import lake_rows, settings_for

    unmapped = [
        json.dumps(
            {
                "name": "edx.bi.user.org_email.opted_in",
                "time": f"2024-03-02T10:00:0{i}+00:00",
                "context": {"user_id": i},
            }
        ).encode()
        for i in range(3)
    ]
    write_log(tmp_path / "logs" / "tracking.log", unmapped)
    settings = settings_for(tmp_path / "data")
    summary = run_ingest(settings, [tmp_path / "logs"])
    assert summary.xapi and summary.events_written == 3
    assert summary.not_mapped_by_name == {"edx.bi.user.org_email.opted_in": 3}
    assert summary.quarantined == 0 and lake_rows(settings, "quarantine") == []
    from learnlake.ingest import human_summary

    assert "without xAPI mapping: 3 edx.bi.user.org_email.opted_in" in human_summary(summary)
