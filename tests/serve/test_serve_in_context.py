"""In-context fragments: one problem, video or graded subsection, embedded with a block-scoped token."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from serve_support import EMBED_SECRET, Site

from learnlake.serve.dashboards import REGISTRY
from learnlake.warehouse import open_warehouse

Auth = Callable[[str | None], dict[str, str]]
SECRET = {"X-Embed-Secret": EMBED_SECRET}
FRAGMENTS = ("in_context_problem", "in_context_video", "in_context_subsection")
# the block with the most data of each kind in a course, from the models the fragments read
BLOCK_SQL = {
    "in_context_problem": "SELECT problem_id AS block FROM dim_problem_results WHERE course_key = ? "
    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    "in_context_video": "SELECT split_part(object_id, '/xblock/', 2) AS block FROM fact_video_segments "
    "WHERE course_key = ? GROUP BY 1 ORDER BY count(DISTINCT actor_id) DESC, 1 LIMIT 1",
    "in_context_subsection": "SELECT subsection_block_id AS block FROM dim_subsection_problem_results "
    "WHERE course_key = ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
}
CHARTS = [(d, c.id) for d in FRAGMENTS for c in REGISTRY[d].charts]


@pytest.fixture(scope="module")
def blocks(site: Site) -> dict[str, tuple[str, str]]:
    """Per fragment: a block of course_a (A) and one of course_b (B), both with data."""
    wh = open_warehouse(site.settings)
    out = {}
    for fragment, sql in BLOCK_SQL.items():
        a = wh.rows(sql, [site.course_a])[0]["block"]
        b = wh.rows(sql, [site.course_b])[0]["block"]
        out[fragment] = (a, b)
    return out


def _mint(client: TestClient, dashboard: str = "course", **claims: str) -> tuple[str, str]:
    response = client.post(
        "/api/v1/embed/token", params={"dashboard": dashboard}, json=claims, headers=SECRET
    )
    assert response.status_code == 200, response.text
    data = response.json()
    return str(data["token"]), str(data["url"])


def _embed(client: TestClient, token: str, dashboard: str, chart: str, **params: str) -> Any:
    return client.get(f"/embed/{dashboard}/charts/{chart}", params={"token": token, **params})


def _rows(
    client: TestClient, headers: dict[str, str], dashboard: str, chart: str, **params: str
) -> list[Any]:
    response = client.get(f"/api/v1/dashboards/{dashboard}/charts/{chart}", params=params, headers=headers)
    assert response.status_code == 200, (dashboard, chart, params, response.text)
    rows: list[Any] = response.json()["rows"]
    return rows


def test_minted_url_opens_the_fragment(client: TestClient, blocks: dict[str, tuple[str, str]]) -> None:
    for fragment in FRAGMENTS:
        token, url = _mint(client, fragment, block=blocks[fragment][0])
        assert url == f"/embed/{fragment}?token={token}"
        page = client.get(url)
        assert page.status_code == 200 and f'data-src="/embed/{fragment}/charts/' in page.text
        assert "<nav>" not in page.text and 'name="block"' not in page.text  # no way out, no filter bar
        assert page.headers["cache-control"] == "no-store"
    response = client.post(
        "/api/v1/embed/token", params={"dashboard": "operator"}, json={"block": "x"}, headers=SECRET
    )
    assert response.status_code == 422  # only embeddable views


@pytest.mark.parametrize(("dashboard", "chart"), CHARTS)
def test_block_token_yields_only_that_block(
    client: TestClient, auth: Auth, site: Site, blocks: dict[str, tuple[str, str]], dashboard: str, chart: str
) -> None:
    block_a, block_b = blocks[dashboard]
    token, _ = _mint(client, dashboard, block=block_a)
    mine = _embed(client, token, dashboard, chart)
    assert mine.status_code == 200, mine.text
    rows = mine.json()["rows"]
    op = auth("op")
    assert rows, "block A has data"
    assert rows == _rows(client, op, dashboard, chart, block=block_a)
    assert rows != _rows(client, op, dashboard, chart, block=block_b)  # B's data is different…
    assert _rows(client, op, dashboard, chart, block=block_b)  # …and exists
    # asking for block B, or for the other course, through the token: refused or nothing
    assert _embed(client, token, dashboard, chart, block=block_b).status_code == 403
    other = _embed(client, token, dashboard, chart, course=site.course_b)
    assert other.status_code == 200 and other.json()["rows"] == []
    # the same token on the other fragments: a problem is not a video
    for other_fragment in FRAGMENTS:
        if other_fragment != dashboard:
            for c in REGISTRY[other_fragment].charts:
                assert _embed(client, token, other_fragment, c.id).json()["rows"] == [], (
                    other_fragment,
                    c.id,
                )


@pytest.mark.parametrize("dashboard", FRAGMENTS)
def test_course_token_and_course_staff_stay_in_their_course(
    client: TestClient, auth: Auth, site: Site, blocks: dict[str, tuple[str, str]], dashboard: str
) -> None:
    block_a, block_b = blocks[dashboard]
    token, _ = _mint(client, dashboard, course=site.course_a)
    for chart in REGISTRY[dashboard].charts:
        course_rows = _embed(client, token, dashboard, chart.id).json()["rows"]
        assert course_rows == _rows(client, auth("op"), dashboard, chart.id, course=site.course_a)
        # a block of another course, named in the URL: nothing
        assert _embed(client, token, dashboard, chart.id, block=block_b).json()["rows"] == []
        # course staff open the fragment with the block filter: their block, never another course's
        staff = auth("staff")
        assert _rows(client, staff, dashboard, chart.id, block=block_a) == _rows(
            client, auth("op"), dashboard, chart.id, block=block_a
        )
        assert _rows(client, staff, dashboard, chart.id, block=block_b) == []
        assert _rows(client, auth("orgstaff"), dashboard, chart.id, block=block_b) == []


def test_roles(client: TestClient, auth: Auth) -> None:
    for dashboard, chart in CHARTS:
        url = f"/api/v1/dashboards/{dashboard}/charts/{chart}"
        assert client.get(url, headers=auth("learner")).status_code == 403
        assert client.get(url).status_code == 401
        analyst = client.get(url, headers=auth("analyst"))
        assert analyst.status_code == 200
        assert not {"actor_id", "username", "email", "name"} & {c["name"] for c in analyst.json()["columns"]}


def test_problem_numbers(
    client: TestClient, auth: Auth, site: Site, blocks: dict[str, tuple[str, str]]
) -> None:
    problem = blocks["in_context_problem"][0]
    expected = open_warehouse(site.settings).rows(
        "SELECT count(*) AS learners, count(*) FILTER (WHERE success) AS correct, "
        "count(*) FILTER (WHERE attempts = 1) AS one_attempt FROM dim_problem_results WHERE problem_id = ?",
        [problem],
    )[0]
    op = auth("op")
    results = _rows(client, op, "in_context_problem", "problem_results", block=problem)
    assert len(results) == 1 and results[0]["learners"] == expected["learners"]
    assert results[0]["correct_pct"] == round(100 * expected["correct"] / expected["learners"], 1)
    attempts = {
        r["attempts"]: r
        for r in _rows(client, op, "in_context_problem", "attempts_distribution", block=problem)
    }
    assert attempts["1"]["correct"] + attempts["1"]["incorrect"] == expected["one_attempt"]
    assert sum(r["correct"] for r in attempts.values()) == expected["correct"]
    csv = client.get(
        "/api/v1/dashboards/in_context_problem/charts/answer_distribution",
        params={"block": problem, "format": "csv"},
        headers=op,
    )
    assert csv.status_code == 200 and csv.text.splitlines()[0].replace('"', "") == (
        "problem,problem_part,response,correct,learners"
    )
    assert "\b" not in csv.text  # the models' sort padding is not shown


def test_video_and_subsection_numbers(
    client: TestClient, auth: Auth, site: Site, blocks: dict[str, tuple[str, str]]
) -> None:
    op = auth("op")
    video = blocks["in_context_video"][0]
    viewers = open_warehouse(site.settings).rows(
        "SELECT count(DISTINCT actor_id) AS n FROM fact_video_segments WHERE object_id LIKE '%/xblock/' || ?",
        [video],
    )[0]["n"]
    views = _rows(client, op, "in_context_video", "partial_full_views", block=video)
    assert len(views) == 1 and views[0]["partial_views"] + views[0]["full_views"] == viewers
    timeline = _rows(client, op, "in_context_video", "video_timeline", block=video)
    assert 1 < len(timeline) <= 60 and timeline[0]["position"] == "0:00:00"
    assert max(r["viewers"] for r in timeline) <= viewers
    subsection = blocks["in_context_subsection"][0]
    learners = open_warehouse(site.settings).rows(
        "SELECT count(DISTINCT actor_id) AS n FROM dim_subsection_problem_results "
        "WHERE subsection_block_id = ?",
        [subsection],
    )[0]["n"]
    scores = _rows(client, op, "in_context_subsection", "score_distribution", block=subsection)
    assert sum(r["learners"] for r in scores) == learners
    problems = _rows(client, op, "in_context_subsection", "problems", block=subsection)
    results = _rows(client, op, "in_context_subsection", "problem_results", block=subsection)
    assert problems and len(results) <= len(problems)


@pytest.mark.browser
def test_fragment_in_an_lms_iframe(
    live_server: str, chromium_path: str, blocks: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    """The LMS page embeds the fragment in an iframe: it draws every chart, without errors."""
    from playwright.sync_api import sync_playwright

    request = urllib.request.Request(
        f"{live_server}/api/v1/embed/token?dashboard=in_context_video",
        data=json.dumps({"block": blocks["in_context_video"][0]}).encode(),
        headers={"Content-Type": "application/json", "X-Embed-Secret": EMBED_SECRET},
        method="POST",
    )
    url = json.loads(urllib.request.urlopen(request).read())["url"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.set_content(
                "<html><body><h1>LMS unit</h1>"
                f'<iframe id="analytics" src="{live_server}{url}" width="1100" height="900"></iframe>'
                "</body></html>"
            )
            frame = page.frame_locator("#analytics")
            frame.locator(".chart").first.wait_for()
            handle = page.query_selector("#analytics")
            assert handle is not None
            inner = handle.content_frame()
            assert inner is not None
            inner.wait_for_function(
                "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.state !== 'loading')",
                timeout=60_000,
            )
            states = inner.eval_on_selector_all(
                ".chart", "els => els.map(e => [e.dataset.state, e.dataset.rows])"
            )
            page.screenshot(path=str(tmp_path / "in-context-video-iframe.png"), full_page=True)
            assert len(states) == len(REGISTRY["in_context_video"].charts)
            assert all(state == "ok" and rows not in (None, "0") for state, rows in states), states
            assert inner.locator("canvas").count() >= 3
        finally:
            browser.close()
    assert errors == []
