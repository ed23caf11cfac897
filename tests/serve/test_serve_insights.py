"""Insights dashboards on the synthetic site: data in every chart, numbers equal to the models,
scoping (a course's staff see that course only), and rows about single learners gated by role and
personal-data grant."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from serve_support import PASSWORD, Site

from learnlake.serve.auth.scope import LEARNER_COLUMNS
from learnlake.serve.auth.store import UserStore
from learnlake.serve.dashboards import REGISTRY
from learnlake.warehouse import open_warehouse

Auth = Callable[[str | None], dict[str, str]]
INSIGHTS = [d for d in REGISTRY.values() if d.id.startswith("insights_")]
CHARTS = [(d.id, c.id) for d in INSIGHTS for c in d.charts]
PER_LEARNER = [(d.id, c.id) for d in INSIGHTS for c in d.charts if c.per_learner]
AGGREGATE = [(d.id, c.id) for d in INSIGHTS for c in d.charts if not c.per_learner]


def _get(client: TestClient, auth: Auth, user: str, dashboard: str, chart: str, **params: str) -> Any:
    response = client.get(f"/api/v1/dashboards/{dashboard}/charts/{chart}", params=params, headers=auth(user))
    assert response.status_code == 200, response.text
    return response.json()


def _rows(client: TestClient, auth: Auth, user: str, dashboard: str, chart: str, **params: str) -> list[Any]:
    rows: list[Any] = _get(client, auth, user, dashboard, chart, **params)["rows"]
    return rows


def _sql(site: Site, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return open_warehouse(site.settings).rows(sql, params or [])


@pytest.fixture(scope="module")
def pii_analyst(site: Site) -> Auth:
    """Headers of an analyst holding the personal-data grant (created for this module)."""
    store = UserStore(site.settings.data_dir)
    if store.get("insights_pii_analyst") is None:
        store.add("insights_pii_analyst", "analyst", PASSWORD, pii=True)
    token = store.new_token("insights_pii_analyst", "tests")
    return lambda _user: {"Authorization": f"Bearer {token}"}


def test_the_four_reports_are_registered() -> None:
    assert {d.id for d in INSIGHTS} == {
        "insights_enrollment",
        "insights_video",
        "insights_problems",
        "insights_engagement",
    }
    for dashboard in INSIGHTS:
        assert "learner" not in dashboard.roles and "embed" not in dashboard.roles


@pytest.mark.parametrize(("dashboard_id", "chart_id"), CHARTS)
def test_every_chart_has_rows_on_the_site(
    client: TestClient, auth: Auth, dashboard_id: str, chart_id: str
) -> None:
    data = _get(client, auth, "op", dashboard_id, chart_id, grain="week")
    assert data["rows"], f"{dashboard_id}/{chart_id} is empty on the synthetic site"
    chart = REGISTRY[dashboard_id].chart(chart_id)
    assert chart is not None
    if chart.kind not in ("number", "table"):
        assert data["option"]["series"] and all(s["data"] for s in data["option"]["series"])


@pytest.mark.parametrize(("dashboard_id", "chart_id"), CHARTS)
def test_scoped_roles_see_exactly_their_slice(
    client: TestClient, auth: Auth, site: Site, dashboard_id: str, chart_id: str
) -> None:
    """A course's staff get what the operator gets filtering on that course (minus personal data)."""
    chart = REGISTRY[dashboard_id].chart(chart_id)
    assert chart is not None

    def without_pii(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k not in chart.pii_columns} for r in rows]

    staff = _rows(client, auth, "staff", dashboard_id, chart_id)
    assert staff == without_pii(_rows(client, auth, "op", dashboard_id, chart_id, course=site.course_a))
    org = _rows(client, auth, "orgstaff", dashboard_id, chart_id)
    assert org == without_pii(_rows(client, auth, "op", dashboard_id, chart_id, org=site.org_a))


@pytest.mark.parametrize(
    ("dashboard_id", "chart_id"),
    [
        ("insights_enrollment", "enrollment_summary_by_course"),
        ("insights_video", "videos"),
        ("insights_problems", "problem_results"),
        ("insights_engagement", "learner_engagement"),
    ],
)
def test_scope_really_narrows(
    client: TestClient, auth: Auth, site: Site, dashboard_id: str, chart_id: str
) -> None:
    everything = {r["course_id"] for r in _rows(client, auth, "op", dashboard_id, chart_id)}
    assert {site.course_a, site.course_b} <= everything
    assert {r["course_id"] for r in _rows(client, auth, "staff", dashboard_id, chart_id)} == {site.course_a}
    org = {r["course_id"] for r in _rows(client, auth, "orgstaff", dashboard_id, chart_id)}
    assert org and all(c.split(":")[1].split("+")[0] == site.org_a for c in org)


@pytest.mark.parametrize(("dashboard_id", "chart_id"), PER_LEARNER)
def test_rows_about_learners_need_the_grant(
    client: TestClient, auth: Auth, pii_analyst: Auth, site: Site, dashboard_id: str, chart_id: str
) -> None:
    url = f"/api/v1/dashboards/{dashboard_id}/charts/{chart_id}"
    for fmt in ("json", "csv"):
        assert client.get(url, params={"format": fmt}, headers=auth("analyst")).status_code == 403
    granted = client.get(url, headers=pii_analyst(None))
    assert granted.status_code == 200
    assert "username" in {c["name"] for c in granted.json()["columns"]}
    # course staff without the grant: their course's rows, without names or emails
    staff = _get(client, auth, "staff", dashboard_id, chart_id)
    names = {c["name"] for c in staff["columns"]}
    assert staff["rows"] and not {"username", "email"} & names
    op = _rows(client, auth, "op", dashboard_id, chart_id, course=site.course_a)
    assert len(staff["rows"]) == len(op)
    assert all(r["username"] for r in op)


@pytest.mark.parametrize(("dashboard_id", "chart_id"), AGGREGATE)
def test_aggregates_are_open_to_analysts_and_name_no_learner(
    client: TestClient, auth: Auth, dashboard_id: str, chart_id: str
) -> None:
    data = _get(client, auth, "analyst", dashboard_id, chart_id)
    assert data["rows"]
    assert not LEARNER_COLUMNS & {c["name"] for c in data["columns"]}


def test_problem_response_report_downloads_whole(client: TestClient, auth: Auth, site: Site) -> None:
    url = "/api/v1/dashboards/insights_problems/charts/problem_response_report"
    params = {"course": site.course_a}
    rows = client.get(url, params=params, headers=auth("op")).json()["rows"]
    response = client.get(url, params={**params, "format": "csv"}, headers=auth("op"))
    assert response.headers["content-type"].startswith("text/csv")
    assert "insights_problems-problem_response_report.csv" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert (
        len(table)
        == len(rows)
        == _sql(site, "SELECT count(*) AS n FROM problem_response WHERE course_id = ?", [site.course_a])[0][
            "n"
        ]
    )
    assert {r["username"] for r in table} == {r["username"] for r in rows}
    staff_csv = client.get(url, params={"format": "csv"}, headers=auth("staff")).text
    assert "username" not in staff_csv.splitlines()[0]
    cells = {cell for line in csv.reader(io.StringIO(staff_csv)) for cell in line}
    assert not {r["username"] for r in rows} & cells


def test_enrollment_numbers_are_the_models(client: TestClient, auth: Auth, site: Site) -> None:
    daily = _sql(
        site,
        'SELECT "date", sum("count")::BIGINT AS n FROM course_enrollment_daily WHERE course_id = ? '
        "GROUP BY 1 ORDER BY 1",
        [site.course_a],
    )
    by_day = {r["date"].isoformat(): r["n"] for r in daily}
    now = _rows(client, auth, "staff", "insights_enrollment", "enrolled_now")
    assert now == [{"learners": daily[-1]["n"]}]
    # a coarser grain shows the level on the last day of each week, not a sum of days
    weekly = _rows(client, auth, "staff", "insights_enrollment", "enrollment_over_time", grain="week")
    for row in weekly:
        days = [d for d in by_day if d >= row["period"]]
        week_days = [d for d in days if (_date(d) - _date(row["period"])).days < 7]
        assert row["enrolled"] == by_day[max(week_days)]
    # the date filter bounds the series
    ranged = _rows(
        client,
        auth,
        "staff",
        "insights_enrollment",
        "enrollment_over_time",
        start="2026-10-03",
        end="2026-10-09",
    )
    assert [r["period"] for r in ranged] == [d for d in by_day if "2026-10-03" <= d <= "2026-10-09"]


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text[:10])


def test_video_timeline_of_one_video(client: TestClient, auth: Auth, site: Site) -> None:
    video = _sql(
        site,
        "SELECT course_id, encoded_module_id FROM video WHERE course_id = ? "
        "ORDER BY users_at_start, encoded_module_id LIMIT 1",
        [site.course_a],
    )[0]
    block = f"block-v1:{video['course_id'].split(':')[1]}+type@video+block@{video['encoded_module_id']}"
    rows = _rows(client, auth, "staff", "insights_video", "video_timeline", block=block)
    expected = _sql(
        site,
        "SELECT segment * 5 AS position_s, num_users, num_views FROM video_timeline "
        "WHERE pipeline_video_id = ? ORDER BY segment",
        [f"{video['course_id']}|{video['encoded_module_id']}"],
    )
    assert rows and [(r["position_s"], r["viewers"], r["viewers"] + r["replays"]) for r in rows] == [
        (e["position_s"], e["num_users"], e["num_views"]) for e in expected
    ]
    assert len({r["video"] for r in rows}) == 1
    assert len(_rows(client, auth, "staff", "insights_video", "videos", block=block)) == 1
    # a video of another course: the block filter never widens the scope
    other = _sql(
        site, "SELECT course_id, encoded_module_id FROM video WHERE course_id = ? LIMIT 1", [site.course_b]
    )
    far = f"block-v1:{other[0]['course_id'].split(':')[1]}+type@video+block@{other[0]['encoded_module_id']}"
    assert _rows(client, auth, "staff", "insights_video", "video_timeline", block=far) == []
    assert _rows(client, auth, "op", "insights_video", "video_timeline", block=far)


def test_answer_distribution_counts_latest_answers(client: TestClient, auth: Auth, site: Site) -> None:
    top = _sql(
        site,
        "SELECT problem_id, answer_id, count(*) AS n FROM problem_response WHERE course_id = ? "
        "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1",
        [site.course_a],
    )[0]
    rows = _rows(client, auth, "staff", "insights_problems", "answer_distribution_top")
    assert sum(r["learners"] for r in rows) == top["n"]
    one = _rows(
        client, auth, "staff", "insights_problems", "answer_distribution_top", block=top["problem_id"]
    )
    assert one == rows
    results = _rows(client, auth, "staff", "insights_problems", "problem_results")
    learners = _sql(
        site,
        "SELECT count(DISTINCT (problem_id, username)) AS n FROM problem_response WHERE course_id = ?",
        [site.course_a],
    )[0]["n"]
    assert sum(r["learners"] for r in results) == learners
    assert all(0 <= r["correct_pct"] <= 100 for r in results)


def test_engagement_matches_the_models(client: TestClient, auth: Auth, site: Site) -> None:
    weekly = _rows(client, auth, "op", "insights_engagement", "weekly_activity")
    active = _sql(site, "SELECT sum(\"count\")::BIGINT AS n FROM course_activity WHERE label = 'ACTIVE'")[0][
        "n"
    ]
    assert sum(r["active"] for r in weekly) == active > 0
    levels = _rows(client, auth, "staff", "insights_engagement", "engagement_levels")
    learners = _sql(
        site,
        "SELECT count(DISTINCT username) AS n FROM module_engagement WHERE course_id = ?",
        [site.course_a],
    )[0]["n"]
    assert [r["level"] for r in levels] == sorted(
        (r["level"] for r in levels), key=["low", "normal", "high"].index
    )
    for metric in ("problem_attempts", "problems_completed", "videos_viewed", "days_active"):
        assert sum(r[metric] for r in levels) == learners
    report = _rows(client, auth, "op", "insights_engagement", "learner_engagement", course=site.course_a)
    enrolled = _rows(client, auth, "op", "insights_enrollment", "enrolled_now", course=site.course_a)
    assert len(report) == enrolled[0]["learners"]
    assert all("@" in r["email"] for r in report)


def test_dashboard_pages_render(client: TestClient, auth: Auth) -> None:
    for dashboard in INSIGHTS:
        page = client.get(f"/dashboards/{dashboard.id}", headers=auth("staff"))
        assert page.status_code == 200
        assert all(f'id="chart-{c.id}"' in page.text for c in dashboard.charts)
        assert client.get(f"/dashboards/{dashboard.id}", headers=auth("learner")).status_code == 403


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_insights_dashboards_in_chromium(
    chromium_path: str, live_server: str, tmp_path_factory: pytest.TempPathFactory, lang: str
) -> None:
    """Course staff open every Insights dashboard: each chart drawn with rows, no console error."""
    import os
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    artifacts = Path(os.environ.get("LEARNLAKE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("insights-shots"))
    artifacts.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            page = browser.new_context(viewport={"width": 1360, "height": 1000}).new_page()
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server}/login?lang={lang}")
            page.fill("input[name=username]", "staff")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for dashboard in INSIGHTS:
                page.goto(f"{live_server}/dashboards/{dashboard.id}?grain=week&lang={lang}")
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.chart')]"
                    ".every(c => c.dataset.state !== 'loading')",
                    timeout=60_000,
                )
                page.wait_for_timeout(300)
                page.screenshot(path=str(artifacts / f"{dashboard.id}-staff-{lang}.png"), full_page=True)
                states = page.eval_on_selector_all(
                    ".chart", "els => els.map(e => [e.dataset.chart, e.dataset.state, e.dataset.rows])"
                )
                assert {c for c, _, _ in states} == {c.id for c in dashboard.charts}
                bad = {c: f"{s}:{n}" for c, s, n in states if s != "ok" or n == "0"}
                assert bad == {}, f"{dashboard.id}: charts without data: {bad}"
                drawn = sum(1 for c in dashboard.charts if c.kind not in ("number", "table"))
                assert page.locator(".chart canvas").count() >= drawn
        finally:
            browser.close()
    assert errors == []


def test_charts_are_drawn_readably(client: TestClient, auth: Auth) -> None:
    # a position in a video is a number along a value axis, not a label per 5-second segment
    timeline = _get(client, auth, "op", "insights_video", "video_timeline")
    assert timeline["option"]["xAxis"]["type"] == "value"
    assert [s["name"] for s in timeline["option"]["series"]] == ["Viewers", "Replays"]
    # stacked tracks: every track has a point on every period, so the areas stay aligned
    rows = _rows(client, auth, "op", "insights_enrollment", "enrollment_by_mode", grain="week")
    periods = {r["period"] for r in rows}
    modes = {r["enrollment_mode"] for r in rows}
    assert len(rows) == len(periods) * len(modes) and len(modes) >= 2
    gender = _rows(client, auth, "op", "insights_enrollment", "enrollment_by_gender")
    assert {r["gender"] for r in gender} <= {"female", "male", "other", "unknown"}
    # labels follow the caller's language
    spanish = client.get(
        "/api/v1/dashboards/insights_video/charts/videos", params={"lang": "es"}, headers=auth("op")
    ).json()
    assert spanish["title"] == "Videos: espectadores y finalización"


def test_no_rows_and_no_error_before_the_models_are_built(tmp_path: Any) -> None:
    """A site without LMS tables (or before its first run) shows "No data", never a server error."""
    from learnlake.config import load_settings
    from learnlake.serve.auth.scope import LOCAL_OPERATOR
    from learnlake.serve.dashboards.framework import Filters
    from learnlake.serve.dashboards.runner import QueryRunner
    from learnlake.serve.dashboards.service import run_query

    (tmp_path / "learnlake.yaml").write_text("data_dir: data\n", encoding="utf-8")
    runner = QueryRunner(load_settings(tmp_path / "learnlake.yaml"))
    for dashboard in INSIGHTS:
        for chart in dashboard.charts:
            assert chart.query is not None
            assert run_query(runner, chart.query, LOCAL_OPERATOR, Filters()).num_rows == 0, chart.id
