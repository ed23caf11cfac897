"""Course dashboard's performance and finer engagement charts: numbers from the models, scoped per role."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from serve_support import Site

from learnlake.serve.dashboards import REGISTRY
from learnlake.warehouse import open_warehouse

Auth = Callable[[str | None], dict[str, str]]
NEW_CHARTS = (
    "grade_distribution",
    "learner_performance",
    "pages_per_subsection",
    "video_timeline",
    "partial_full_views",
)


def _get(client: TestClient, headers: dict[str, str], chart: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/dashboards/course/charts/{chart}", params=params, headers=headers)
    assert response.status_code == 200, (chart, params, response.text)
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def test_the_new_charts_are_on_the_course_dashboard(client: TestClient, auth: Auth) -> None:
    assert set(NEW_CHARTS) <= {c.id for c in REGISTRY["course"].charts}
    page = client.get("/dashboards/course", headers=auth("op"))
    assert page.status_code == 200
    for chart in NEW_CHARTS:
        assert f'data-src="/api/v1/dashboards/course/charts/{chart}"' in page.text, chart
        assert _get(client, auth("op"), chart), chart


def test_grades_and_passing_match_the_models(client: TestClient, auth: Auth, site: Site) -> None:
    wh = open_warehouse(site.settings)
    status = wh.rows(
        "SELECT grade_bucket, approving_state FROM dim_student_status "
        "WHERE course_key = ? AND enrollment_status = 'registered'",
        [site.course_a],
    )
    learners: dict[str, int] = defaultdict(int)
    passing: dict[str, int] = defaultdict(int)
    for row in status:
        learners[row["grade_bucket"]] += 1
        passing[row["grade_bucket"]] += row["approving_state"] == "passed"
    rows = _get(client, auth("op"), "grade_distribution", course=site.course_a)
    assert {r["grade_bucket"]: r["learners"] for r in rows} == learners
    assert {r["grade_bucket"]: r["passing"] for r in rows} == passing
    assert any(b != "no grade" for b in learners)  # the site has graded learners
    graded = [r["grade_bucket"] for r in rows if r["grade_bucket"] != "no grade"]
    assert graded == sorted(graded, key=lambda b: int(b.split("-")[0]))  # grade order, not text order
    (perf,) = _get(client, auth("op"), "learner_performance", course=site.course_a)
    assert perf["course_key"] == site.course_a
    assert perf["enrollees"] == len(status) > 0
    assert perf["passing"] == sum(passing.values())


def test_pages_per_subsection_match_the_model(client: TestClient, auth: Auth, site: Site) -> None:
    facts = open_warehouse(site.settings).rows(
        "SELECT block_id, section_subsection_name AS name, actor_id, "
        "section_subsection_page_engagement AS level FROM fact_pageview_engagement "
        "WHERE course_key = ? AND content_level = 'subsection'",
        [site.course_a],
    )
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in facts:
        expected[f["name"]][0 if f["level"] == "All pages viewed" else 1] += 1
    rows = _get(client, auth("op"), "pages_per_subsection", course=site.course_a)
    assert {r["subsection"]: [r["engaged_all"], r["engaged_one"]] for r in rows} == expected
    assert sum(r["engaged_all"] + r["engaged_one"] for r in rows) > 0


def test_video_timeline_and_views_match_the_segments(client: TestClient, auth: Auth, site: Site) -> None:
    segments = open_warehouse(site.settings).rows(
        "SELECT object_id, actor_id, watched_segment, watch_count, video_duration FROM fact_video_segments "
        "WHERE course_key = ?",
        [site.course_a],
    )
    assert segments
    # the timeline: distinct viewers per part of ceil(longest / 60) seconds
    size = max(1, math.ceil(max(s["video_duration"] for s in segments) / 60))
    viewers: dict[int, set[str]] = defaultdict(set)
    for s in segments:
        viewers[(s["watched_segment"] - 1) // size * size].add(s["actor_id"])
    timeline = _get(client, auth("op"), "video_timeline", course=site.course_a)
    assert [r["viewers"] for r in timeline] == [len(viewers[k]) for k in sorted(viewers)]
    # partial vs full: a view is full at 95% of the video's seconds
    seconds: dict[tuple[str, str], int] = defaultdict(int)
    duration: dict[str, int] = {}
    for s in segments:
        seconds[(s["object_id"], s["actor_id"])] += 1
        duration[s["object_id"]] = max(duration.get(s["object_id"], 0), s["video_duration"])
    full = sum(n >= 0.95 * duration[video] for (video, _), n in seconds.items())
    views = _get(client, auth("op"), "partial_full_views", course=site.course_a)
    assert len(views) == len(duration) <= 20  # the chart shows the 20 most viewed videos: all of them
    assert sum(r["full_views"] for r in views) == full > 0
    assert sum(r["partial_views"] + r["full_views"] for r in views) == len(seconds)


@pytest.mark.parametrize("chart", NEW_CHARTS)
def test_course_staff_see_only_their_course(client: TestClient, auth: Auth, site: Site, chart: str) -> None:
    staff = _get(client, auth("staff"), chart)
    assert staff and staff == _get(client, auth("op"), chart, course=site.course_a)
    assert staff != _get(client, auth("op"), chart, course=site.course_b)
    for params in ({"course": site.course_b}, {"org": site.org_b}):
        response = client.get(
            f"/api/v1/dashboards/course/charts/{chart}", params=params, headers=auth("staff")
        )
        assert response.status_code == 403, (chart, params)
