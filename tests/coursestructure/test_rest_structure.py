"""The Course Blocks REST reader, against a real local HTTP server enforcing OAuth2 (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lms_api_server import CLIENT_ID, CLIENT_SECRET, blocks_from_olx, serve_lms

from learnlake.coursestructure import CourseStructure, read_olx_course
from learnlake.coursestructure.rest import CourseBlocksClient, RestError, read_rest_courses

DEMO = "course-v1:OpenedX+DemoX+DemoCourse"
OLD_DEMO = "course-v1:edX+DemoX+Demo_Course"


@pytest.fixture(scope="module")
def demo_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "openedx-demo-course"


def _courses(demo_dir: Path) -> dict[str, tuple[dict, dict]]:
    old = json.loads((demo_dir / "old_demo_course_blocks_api.json").read_text())
    old_detail = {
        "id": OLD_DEMO,
        "name": "edX Demonstration Course",
        "start": "2013-02-05T05:00:00Z",
        "end": None,
        "pacing": "instructor",
    }
    return {DEMO: blocks_from_olx(demo_dir / "course.tar.gz"), OLD_DEMO: (old, old_detail)}


def test_rest_rows_equal_olx_rows(demo_dir: Path) -> None:
    olx = read_olx_course(demo_dir / "course.tar.gz")
    with serve_lms(_courses(demo_dir)) as api:
        client = CourseBlocksClient(api.url, CLIENT_ID, CLIENT_SECRET)
        ids = client.course_ids()
        assert ids == [DEMO, OLD_DEMO]  # both pages of the course list
        results = dict(read_rest_courses(client, ids))
        client.close()
    rest = results[DEMO]
    assert isinstance(rest, CourseStructure)
    assert rest.course_blocks.to_pylist() == olx.course_blocks.to_pylist()
    # the API has no problem XML: an unset weight stays unset instead of the response count
    olx_rows = olx.course_structures.to_pylist()
    rest_rows = rest.course_structures.to_pylist()
    assert [{**r, "weight": None} for r in rest_rows] == [{**r, "weight": None} for r in olx_rows]
    [o] = olx.course_overviews.to_pylist()
    [r] = rest.course_overviews.to_pylist()
    same = (
        "org",
        "course_key",
        "display_name",
        "course_start",
        "course_end",
        "enrollment_start",
        "self_paced",
        "block_count",
    )
    assert {k: r[k] for k in same} == {k: o[k] for k in same}
    # one token for the whole run, sent on every API call
    posts = [req for req in api.requests if req[0] == "POST"]
    assert len(posts) == 1
    assert all(req[2] == "Bearer tok-0123456789" for req in api.requests if req[0] == "GET")


def test_old_demo_course_in_api_shape(demo_dir: Path) -> None:
    """The recorded API answer of the old demo course (sequentials directly below the course)."""
    with serve_lms(_courses(demo_dir)) as api:
        client = CourseBlocksClient(api.url, CLIENT_ID, CLIENT_SECRET)
        [(_course_id, result)] = list(read_rest_courses(client, [OLD_DEMO]))
        client.close()
    assert isinstance(result, CourseStructure)
    rows = result.course_blocks.to_pylist()
    raw = json.loads((demo_dir / "old_demo_course_blocks_api.json").read_text())
    assert len(rows) == len(raw["blocks"]) == 51
    assert [r["order"] for r in rows] == list(range(1, 52))
    assert rows[0]["block_type"] == "course" and rows[0]["hierarchy_location"] == "0:0:0"
    sequentials = [r for r in rows if r["block_type"] == "sequential"]
    assert [r["hierarchy_location"] for r in sequentials] == [f"0:{i}:0" for i in range(1, 12)]
    # the depth-first walk follows the API's children order
    first = raw["blocks"][raw["root"]]["children"][0]
    assert rows[1]["location"] == first
    kids = raw["blocks"][first].get("children", [])
    assert [r["location"] for r in rows[2 : 2 + len(kids)]] == kids
    assert [r["hierarchy_location"] for r in rows[2 : 2 + len(kids)]] == [
        f"0:1:{u}" for u in range(1, len(kids) + 1)
    ]


def test_bad_credentials_and_missing_course_are_clear_errors(demo_dir: Path) -> None:
    with serve_lms(_courses(demo_dir)) as api:
        bad = CourseBlocksClient(api.url, CLIENT_ID, "wrong")
        with pytest.raises(RestError, match="token endpoint: HTTP 401"):
            bad.course_ids()
        bad.close()
        client = CourseBlocksClient(api.url, CLIENT_ID, CLIENT_SECRET)
        results = dict(read_rest_courses(client, ["course-v1:No+Such+Course", DEMO]))
        client.close()
    assert isinstance(results["course-v1:No+Such+Course"], RestError)
    assert "HTTP 404" in str(results["course-v1:No+Such+Course"])
    assert isinstance(results[DEMO], CourseStructure)
