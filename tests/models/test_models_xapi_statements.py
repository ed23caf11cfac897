"""The Aspects event models read real event-routing-backends statements (conformance/xapi/expected)."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
from models_helpers import SHARED

from learnlake.models import load_project
from learnlake.models.isolated import run_on_tables

PROJECT = load_project()
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"


def _course_id(st: dict) -> str:  # type: ignore[type-arg]
    parents = st.get("context", {}).get("contextActivities", {}).get("parent") or []
    if parents and parents[0].get("definition", {}).get("type") == COURSE_TYPE:
        return str(parents[0]["id"])
    return str(st["object"].get("id", ""))


def parsed() -> dict[str, pa.Table]:
    cols: dict[str, list[object]] = {
        k: []
        for k in (
            "event_id",
            "verb_id",
            "actor_id",
            "object_id",
            "course_id",
            "course_key",
            "org",
            "emission_time",
            "event",
        )
    }
    names: dict[str, list[str]] = {}
    for path in sorted((SHARED / "conformance/xapi/expected").glob("*.json")):
        data = json.loads(path.read_text())
        for st in data if isinstance(data, list) else [data]:
            if st["id"] in names:  # same statement in two files (same event, other fields)
                names[st["id"]].append(path.stem)
                continue
            names[st["id"]] = [path.stem]
            course_id = _course_id(st)
            key = course_id.rsplit("/", 1)[-1]
            cols["event_id"].append(st["id"])
            cols["verb_id"].append(st["verb"]["id"])
            cols["actor_id"].append(st["actor"].get("account", {}).get("name") or st["actor"].get("mbox", ""))
            cols["object_id"].append(st["object"].get("id", ""))
            cols["course_id"].append(course_id)
            cols["course_key"].append(key)
            cols["org"].append(key.split(":", 1)[-1].split("+")[0] if key.startswith("course-v1:") else "")
            cols["emission_time"].append(dt.datetime.fromisoformat(st["timestamp"]).replace(tzinfo=None))
            cols["event"].append(json.dumps(st))
    return {
        "xapi_events_all_parsed": pa.table(cols),
        "_names": pa.table(
            {
                "id": [i for i, fs in names.items() for _ in fs],
                "file": [f for fs in names.values() for f in fs],
            }
        ),
    }


@pytest.fixture(scope="module")
def statements() -> dict[str, pa.Table]:
    return parsed()


def _rows(statements: dict[str, pa.Table], model: str, engine: str) -> dict[str, dict]:  # type: ignore[type-arg]
    names: dict[str, list[str]] = {}
    ids, files = (
        statements["_names"].column("id").to_pylist(),
        statements["_names"].column("file").to_pylist(),
    )
    for event_id, file in zip(ids, files, strict=True):
        names.setdefault(event_id, []).append(file)
    table = run_on_tables(
        PROJECT.models, model, {"xapi_events_all_parsed": statements["xapi_events_all_parsed"]}, engine=engine
    )
    return {f: r for r in table.to_pylist() for f in names[r["event_id"]]}


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_event_models_on_erb_statements(statements: dict[str, pa.Table], engine: str) -> None:
    video = _rows(statements, "video_playback_events", engine)
    assert video["play_video"]["video_position"] == 1 and video["play_video"]["video_duration"] == 195
    assert "load_video.required.only.data" in video  # initialized
    enroll = _rows(statements, "enrollment_events", engine)
    assert enroll["edx.course.enrollment.activated"]["enrollment_mode"] == "audit"
    assert enroll["edx.course.enrollment.activated"]["enrollment_status"] == "registered"
    assert enroll["edx.course.enrollment.deactivated"]["enrollment_status"] == "unregistered"
    nav = _rows(statements, "navigation_events", engine)
    nxt = nav["edx.ui.lms.sequence.next_selected"]
    assert (nxt["starting_position"], nxt["ending_point"]) == (4, "next unit")
    assert nxt["block_id"].endswith("type@sequential+block@19a30717eff543078a5d94ae9d6c18a5")
    assert nav["edx.ui.lms.outline.selected"]["starting_position"] == 0  # module objects
    assert nav["edx.ui.lms.outline.selected"]["block_id"].startswith(
        "block-v1:edX+DemoX+Demo_Course+type@sequential"
    )
    prob = _rows(statements, "problem_events", engine)["problem_check(server)"]
    assert (prob["attempts"], prob["success"], prob["interaction_type"]) == (10, False, "choice")
    assert (
        prob["problem_id"]
        == "block-v1:edX+DemoX+Demo_Course+type@problem+block@3fc5461f86764ad7bdbdf6cbdde61e66"
    )
    grading = _rows(statements, "grading_events", engine)
    assert grading["edx.course.grade.now_passed"]["approving_state"] == "passed"
    assert grading["edx.course.grade.now_failed"]["approving_state"] == "failed"
    assert grading["problem_check(server)"]["approving_state"] == ""
