"""Course comparison dashboard: every chart filled, scoped per role, the numbers right, the tag filter."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from serve_support import Site

from learnlake.config import load_settings
from learnlake.serve.auth.scope import LEARNER_COLUMNS
from learnlake.serve.dashboards import REGISTRY
from learnlake.warehouse import open_warehouse

Auth = Callable[[str | None], dict[str, str]]
DASHBOARD = REGISTRY["comparison"]
CHARTS = [c.id for c in DASHBOARD.charts]


def _get(client: TestClient, headers: dict[str, str], chart: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/dashboards/comparison/charts/{chart}", params=params, headers=headers)
    assert response.status_code == 200, (chart, params, response.text)
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def _courses(rows: list[dict[str, Any]]) -> set[str]:
    return {r["course_key"] for r in rows if "course_key" in r}


def test_every_chart_has_data_for_the_operator(client: TestClient, auth: Auth, site: Site) -> None:
    for chart in CHARTS:
        rows = _get(client, auth("op"), chart)
        assert rows, chart
    courses = _courses(_get(client, auth("op"), "course_info"))
    assert {site.course_a, site.course_b} <= courses
    # every run in scope appears in the per-run tables
    for chart in ("completion", "learner_performance", "engagement", "learner_status"):
        assert _courses(_get(client, auth("op"), chart)) == courses, chart


@pytest.mark.parametrize("chart", CHARTS)
def test_scoped_roles_see_exactly_their_slice(client: TestClient, auth: Auth, site: Site, chart: str) -> None:
    """A scope is the same as the operator filtering on it: nothing more, nothing less."""
    staff = _get(client, auth("staff"), chart)
    assert staff == _get(client, auth("op"), chart, course=site.course_a)
    assert _courses(staff) <= {site.course_a}
    orgstaff = _get(client, auth("orgstaff"), chart)
    assert orgstaff == _get(client, auth("op"), chart, org=site.org_a)
    assert all(k.split(":")[1].split("+")[0] == site.org_a for k in _courses(orgstaff))


def test_course_staff_compares_only_their_courses(client: TestClient, auth: Auth, site: Site) -> None:
    assert _courses(_get(client, auth("staff"), "course_info")) == {site.course_a}
    for params in ({"course": site.course_b}, {"org": site.org_b}):
        response = client.get(
            "/api/v1/dashboards/comparison/charts/course_info", params=params, headers=auth("staff")
        )
        assert response.status_code == 403


def test_analyst_gets_aggregates_and_learners_nothing(client: TestClient, auth: Auth) -> None:
    for chart in CHARTS:
        response = client.get(f"/api/v1/dashboards/comparison/charts/{chart}", headers=auth("analyst"))
        assert response.status_code == 200, (chart, response.text)
        assert not LEARNER_COLUMNS & {c["name"] for c in response.json()["columns"]}, chart
        learner = client.get(f"/api/v1/dashboards/comparison/charts/{chart}", headers=auth("learner"))
        assert learner.status_code == 403


def test_numbers_match_the_models(client: TestClient, auth: Auth, site: Site) -> None:
    wh = open_warehouse(site.settings)
    expected = wh.rows(
        "SELECT count(DISTINCT actor_id) AS enrollees, "
        "count(*) FILTER (WHERE approving_state = 'passed') AS passing FROM dim_student_status "
        "WHERE course_key = ? AND enrollment_status = 'registered'",
        [site.course_a],
    )[0]
    info = {r["course_key"]: r for r in _get(client, auth("op"), "course_info")}
    assert info[site.course_a]["enrollees"] == expected["enrollees"] > 0
    # "more details" opens the Course dashboard filtered on the run
    details = client.get(info[site.course_a]["course_dashboard"], headers=auth("op"))
    assert details.status_code == 200 and f'<option value="{site.course_a}" selected' in details.text
    perf = {r["course_key"]: r for r in _get(client, auth("op"), "learner_performance")}
    assert perf[site.course_a]["passing"] == expected["passing"]
    assert perf[site.course_a]["enrollees"] == expected["enrollees"]
    plays = wh.rows(
        "SELECT count(*) AS n FROM video_playback_events WHERE course_key = ? "
        "AND verb_id = 'https://w3id.org/xapi/video/verbs/played'",
        [site.course_a],
    )[0]["n"]
    engagement = {r["course_key"]: r for r in _get(client, auth("op"), "engagement")}
    assert engagement[site.course_a]["video_plays"] == plays > 0
    # the engagement over time adds up to the same plays; a date range narrows it
    total = sum(
        r["video_plays"] for r in _get(client, auth("op"), "engagement_over_time", course=site.course_a)
    )
    assert total == plays
    first = _get(client, auth("op"), "engagement_over_time", course=site.course_a, grain="day")[0]["period"]
    one_day = _get(
        client, auth("op"), "engagement_over_time", course=site.course_a, start=first[:10], end=first[:10]
    )
    assert len(one_day) == 1
    # completion: learners with a completion record (the model, or its fallback on the events)
    progress = {r["course_key"]: r for r in _get(client, auth("op"), "completion")}
    assert progress[site.course_a]["learners_started"] > 0
    assert 0 <= progress[site.course_a]["avg_progress_pct"] <= 100


def test_course_info_csv(client: TestClient, auth: Auth, site: Site) -> None:
    response = client.get(
        "/api/v1/dashboards/comparison/charts/course_info", params={"format": "csv"}, headers=auth("staff")
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].replace('"', "").split(",")[:6] == [
        "org",
        "course_key",
        "course_name",
        "course_run",
        "tags",
        "enrollees",
    ]
    assert len(lines) == 2 and site.course_a in lines[1] and site.course_b not in response.text


def test_page_has_the_filters(client: TestClient, auth: Auth) -> None:
    page = client.get("/dashboards/comparison", headers=auth("op"))
    assert page.status_code == 200
    assert 'data-src="/api/v1/dashboards/comparison/charts/course_info"' in page.text
    assert 'name="org"' in page.text and 'name="course"' in page.text
    assert 'name="tag"' not in page.text  # no course has tags on this site: no empty tag picker
    assert client.get("/dashboards/comparison", headers=auth("learner")).status_code == 403


HOSTILE_TAGS = (
    "' OR '1'='1",
    "x'; DROP TABLE course_blocks; --",
    "1) OR (1=1",
    "$f_tag",
    "%",
    "Science' UNION SELECT actor_id FROM xapi_events_all --",
)


def test_tag_values_are_bound_never_sql(client: TestClient, auth: Auth) -> None:
    for tag in (*HOSTILE_TAGS, "a" * 300, "", "\n", "<script>"):
        response = client.get(
            "/api/v1/dashboards/comparison/charts/course_info", params={"tag": tag}, headers=auth("op")
        )
        if tag == "":
            assert response.status_code == 422  # an empty value is not a tag
            continue
        assert response.status_code in (200, 422), (tag, response.text)
        if response.status_code == 200:
            assert response.json()["rows"] == [], tag
    n = client.post(
        "/api/v1/sql", json={"sql": "SELECT count(*) AS n FROM course_blocks"}, headers=auth("op")
    )
    assert n.json()["rows"][0]["n"] > 0


# -- a copy of the site whose courses carry tags ------------------------------------------------

PARENT, CHILD, OTHER = "Science", "Agri & Food (2026)", "Economics"


def _write(lake: Path, table: str, rows: list[dict[str, Any]]) -> None:
    folder = lake / table / "lms=lms.learnlake.test"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / f"{table}.parquet")


@pytest.fixture(scope="module")
def tagged(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The session's site with course tags (course_a: a child of PARENT; course_b: OTHER)."""
    root = tmp_path_factory.mktemp("tagged-site")
    shutil.copy(site.root / "learnlake.yaml", root / "learnlake.yaml")
    shutil.copytree(site.root / "data", root / "data", ignore=shutil.ignore_patterns("*.lock", "tmp"))
    lake = root / "data" / "lake" / "openedx"
    when = "2026-10-01 00:00:00"
    _write(lake, "taxonomy", [{"id": 1, "name": "Subjects", "dump_id": "", "time_last_dumped": when}])
    tags = [(10, None, [PARENT]), (11, 10, [PARENT, CHILD]), (12, None, [OTHER])]
    _write(
        lake,
        "tag",
        [
            {"id": i, "taxonomy": 1, "parent": parent, "value": lineage[-1], "external_id": str(i)}
            | {"lineage": json.dumps(lineage), "dump_id": "", "time_last_dumped": when}
            for i, parent, lineage in tags
        ],
    )
    _write(
        lake,
        "object_tag",
        [
            {"id": 100 + n, "object_id": course, "taxonomy": 1, "tag": tag, "_value": value}
            | {"_export_id": "subjects", "lineage": "", "dump_id": "", "time_last_dumped": when}
            for n, (course, tag, value) in enumerate(((site.course_a, 11, CHILD), (site.course_b, 12, OTHER)))
        ],
    )
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "-q", "models", "run"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    from learnlake.serve.app import create_app

    with TestClient(create_app(load_settings(root / "learnlake.yaml")), client=("127.0.0.1", 40001)) as c:
        yield c


def test_tag_filter_narrows_every_chart(tagged: TestClient, site: Site) -> None:
    local = {"Authorization": f"Bearer {site.tokens['op']}"}  # the copy has the same users
    info = {r["course_key"]: r for r in _get(tagged, local, "course_info")}
    assert info[site.course_a]["tags"] == CHILD and info[site.course_b]["tags"] == OTHER
    assert _courses(_get(tagged, local, "course_info", tag=CHILD)) == {site.course_a}
    assert _courses(_get(tagged, local, "course_info", tag=PARENT)) == {site.course_a}  # a parent tag
    assert _courses(_get(tagged, local, "course_info", tag=OTHER)) == {site.course_b}
    for chart in CHARTS:
        tagged_rows = _get(tagged, local, chart, tag=PARENT)
        assert tagged_rows == _get(tagged, local, chart, course=site.course_a), chart
        assert _get(tagged, local, chart, tag="No such tag") == [], chart
    # the tag filter combines with the others: course_a's tag and course_b's org give nothing
    assert _get(tagged, local, "course_info", tag=CHILD, org=site.org_b) == []


def test_tag_picker_lists_the_tags(tagged: TestClient, site: Site) -> None:
    op = {"Authorization": f"Bearer {site.tokens['op']}"}
    page = tagged.get("/dashboards/comparison", params={"tag": PARENT}, headers=op)
    assert page.status_code == 200
    assert 'name="tag"' in page.text
    for tag in (PARENT, CHILD, OTHER):
        assert f'<option value="{tag}"'.replace("&", "&amp;") in page.text
    assert f'<option value="{PARENT}" selected' in page.text
