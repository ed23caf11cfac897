"""Ingest uses the site's lookups: LMS external ids and course names from the lake, and it saves
the ids it assigns (also from its worker processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from xapi_helpers import load_raw

from learnlake.config import Settings
from learnlake.xapi import ActorAssigner

HOST = "lms.example.com"
COURSE = "course-v1:edX+DemoX+Demo_Course"


def write_table(settings: Settings, table: str, rows: dict[str, list[Any]]) -> None:
    folder = Path(settings.lake_root) / settings.lake.prefix / table / f"lms={HOST}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(rows), folder / "part-0.parquet")


def tracking_log(path: Path, users: list[int]) -> None:
    """play_video events (tracking-log form: payload under `event`) of these learners."""
    lines = []
    for i, user in enumerate(users):
        event = load_raw("play_video")
        event["context"]["user_id"] = user
        event["context"]["username"] = f"learner{user}"
        payload = event.pop("data")
        event["event"] = json.dumps(payload)
        event["event_type"] = event["name"]
        event["time"] = f"2026-01-05T10:00:{i:02d}.000000+00:00"
        event.pop("timestamp", None)
        lines.append(json.dumps(event))
    path.write_text("\n".join(lines) + "\n")


def run_ingest(settings: Settings, sources: list[str], workers: int) -> Any:
    from learnlake.ingest import ingest_tracking_logs
    from learnlake.state import StateStore

    store = StateStore(settings.state_dir)
    try:
        return ingest_tracking_logs(settings, store, sources, workers=workers)
    finally:
        store.close()


@pytest.mark.parametrize("workers", [0, 2])
def test_ingest_uses_lake_lookups_and_saves_assignments(tmp_path: Path, workers: int) -> None:
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path / "data"), "site": {"lms_root_url": f"https://{HOST}"}}
    )
    write_table(settings, "external_user_ids_externalidtype", {"id": [4], "name": ["xapi"]})
    write_table(
        settings,
        "external_user_ids_externalid",
        {"external_user_id": ["lms-id-of-3"], "external_id_type_id": [4], "user_id": [3]},
    )
    write_table(settings, "course_overviews", {"course_key": [COURSE], "display_name": ["Demo from OLX"]})
    log = tmp_path / "logs" / "tracking.log"
    log.parent.mkdir()
    tracking_log(log, [3, 8, 9])
    summary = run_ingest(settings, [str(log)], workers=workers)
    assert summary.statements == 3
    if workers == 0:  # in-process: the caller's transformer flushes at exit or every N events
        from learnlake.ingest import parse

        transformer = parse.transformer()
        assert transformer is not None
        transformer.flush()
    lake = Path(settings.lake_root) / settings.lake.prefix
    statements = f"read_parquet('{lake}/xapi_events_all/**/*.parquet')"
    rows = duckdb.sql(f"SELECT actor_id, event FROM {statements} ORDER BY emission_time").fetchall()
    assigner = ActorAssigner.for_site(f"https://{HOST}")
    assert [r[0] for r in rows] == ["lms-id-of-3", assigner.assign(8), assigner.assign(9)]
    parent = json.loads(rows[0][1])["context"]["contextActivities"]["parent"][0]
    assert parent["definition"]["name"] == {"en-US": "Demo from OLX"}
    mapping = duckdb.sql(
        f"SELECT user_id, external_user_id FROM read_parquet('{lake}/xapi_actor_ids/**/*.parquet') ORDER BY 1"
    ).fetchall()
    assert mapping == [(8, assigner.assign(8)), (9, assigner.assign(9))]
