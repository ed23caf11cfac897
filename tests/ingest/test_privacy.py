"""Without privacy.pii no username or IP reaches any lake file; with it, they are kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from ingest_helpers import make_events, settings_for, to_lines, write_log

USERNAME = re.compile(rb"learner\d{4}x")
IP = re.compile(rb"203\.0\.113\.\d+")


def _lake_text(root: Path) -> bytes:
    """Every value of every lake file, as text."""
    out = []
    for f in sorted(root.rglob("*.parquet")):
        for row in pq.read_table(f).to_pylist():
            for v in row.values():
                out.append(v if isinstance(v, bytes) else str(v).encode())
    return b"\n".join(out)


def test_no_personal_data_in_the_lake_by_default(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 800, seed=12))
    assert sum(1 for x in lines if USERNAME.search(x)) > 700 and any(IP.search(x) for x in lines)
    # a broken line with a username must not leak through the quarantine either
    lines.append(b'{"username": "learner0001x", "ip": "203.0.113.9", "time": "2024-03-01T')
    write_log(tmp_path / "logs" / "tracking.log", lines)
    settings = settings_for(tmp_path / "data")
    summary = run_ingest(settings, [tmp_path / "logs"])
    assert summary.events == 800 and summary.quarantined >= 1
    text = _lake_text(Path(settings.lake_root))
    assert b"tracking_events" not in text  # sanity: values, not paths
    assert USERNAME.search(text) is None
    assert IP.search(text) is None


def test_personal_data_is_kept_when_pii_is_on(
    tmp_path: Path, templates: list[dict[str, Any]], run_ingest: Any
) -> None:
    lines = to_lines(make_events(templates, 200, seed=13))
    write_log(tmp_path / "logs" / "tracking.log", lines)
    settings = settings_for(tmp_path / "data", privacy={"pii": True})
    run_ingest(settings, [tmp_path / "logs"])
    table = pq.read_table(
        sorted((Path(settings.lake_root) / "openedx/tracking_events").rglob("*.parquet"))[0]
    )
    usernames = [u for u in table.column("username").to_pylist() if u]
    assert usernames and all(USERNAME.fullmatch(u.encode()) for u in usernames)
    assert any(ip for ip in table.column("ip").to_pylist())
