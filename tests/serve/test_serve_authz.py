"""Authorization matrix: every endpoint × every role × in and out of scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from serve_support import Site

from learnlake.serve.app import create_app
from learnlake.serve.auth.store import UserStore
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Chart, Dashboard, Query, register

Auth = Callable[[str | None], dict[str, str]]
USERS = (None, "op", "orgstaff", "staff", "analyst", "learner")
ROLE = {
    "op": "operator",
    "orgstaff": "org_staff",
    "staff": "course_staff",
    "analyst": "analyst",
    "learner": "learner",
}
CHARTS = [(d.id, c.id) for d in REGISTRY.values() for c in d.charts]


def _expected(user: str | None, dashboard_id: str, chart_id: str) -> int:
    if user is None:
        return 401
    dashboard = REGISTRY[dashboard_id]
    chart = dashboard.chart(chart_id)
    assert chart is not None
    role = ROLE[user]
    if role not in dashboard.roles or (chart.roles is not None and role not in chart.roles):
        return 403
    if role == "analyst" and (chart.per_learner or chart.pii_columns):
        return 403  # the fixture's analyst has no personal-data grant: aggregates only
    return 200


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("dashboard_id", "chart_id"), CHARTS)
def test_chart_endpoint_by_role(
    client: TestClient, auth: Auth, user: str | None, dashboard_id: str, chart_id: str
) -> None:
    url = f"/api/v1/dashboards/{dashboard_id}/charts/{chart_id}"
    response = client.get(url, headers=auth(user))
    assert response.status_code == _expected(user, dashboard_id, chart_id), response.text
    csv = client.get(url, params={"format": "csv"}, headers=auth(user))
    assert csv.status_code == response.status_code
    if csv.status_code == 200 and response.json()["rows"]:
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0].replace('"', "").split(",") == [
            c["name"] for c in response.json()["columns"]
        ]


@pytest.mark.parametrize(
    ("user", "status"),
    [(None, 401), ("op", 200), ("orgstaff", 403), ("staff", 403), ("analyst", 403), ("learner", 403)],
)
def test_status_api_is_for_operators(client: TestClient, auth: Auth, user: str | None, status: int) -> None:
    assert client.get("/api/v1/status", headers=auth(user)).status_code == status


@pytest.mark.parametrize("user", USERS)
def test_dashboard_listing_follows_roles(client: TestClient, auth: Auth, user: str | None) -> None:
    response = client.get("/api/v1/dashboards", headers=auth(user))
    if user is None:
        assert response.status_code == 401
        return
    listed = {d["id"] for d in response.json()}
    assert listed == {d.id for d in REGISTRY.values() if ROLE[user] in d.roles}
    for d in REGISTRY.values():
        one = client.get(f"/api/v1/dashboards/{d.id}", headers=auth(user))
        assert one.status_code == (200 if d.id in listed else 403)
        page = client.get(f"/dashboards/{d.id}", headers=auth(user))
        assert page.status_code == (200 if d.id in listed else 403)


def test_invalid_token_is_rejected_even_from_loopback(client: TestClient) -> None:
    for header in ("Bearer llk_not-a-real-token", "Bearer ", "Basic b3A6b3A=", "Bearer " + "x" * 5000):
        response = client.get("/api/v1/dashboards", headers={"Authorization": header})
        assert response.status_code == 401


def test_anonymous_browser_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/dashboards/course?org=x", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fdashboards%2Fcourse")


def _rows(client: TestClient, auth: Auth, user: str, dashboard: str, chart: str, **params: str) -> list[dict]:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/dashboards/{dashboard}/charts/{chart}", params=params, headers=auth(user))
    assert response.status_code == 200, response.text
    rows: list[dict] = response.json()["rows"]  # type: ignore[type-arg]
    return rows


@pytest.mark.parametrize("chart", [c.id for c in REGISTRY["course"].charts])
def test_scoped_roles_see_exactly_their_slice(client: TestClient, auth: Auth, site: Site, chart: str) -> None:
    """A scope is the same as the operator filtering on it: nothing more, nothing less."""
    assert _rows(client, auth, "staff", "course", chart) == _rows(
        client, auth, "op", "course", chart, course=site.course_a
    )
    assert _rows(client, auth, "orgstaff", "course", chart) == _rows(
        client, auth, "op", "course", chart, org=site.org_a
    )


def test_scope_really_narrows(client: TestClient, auth: Auth, site: Site) -> None:
    everything = _rows(client, auth, "op", "course", "course_information")
    assert {r["course_key"] for r in everything} >= {site.course_a, site.course_b}
    assert {r["course_key"] for r in _rows(client, auth, "staff", "course", "course_information")} == {
        site.course_a
    }
    assert {r["org"] for r in _rows(client, auth, "orgstaff", "course", "course_information")} == {site.org_a}


@pytest.mark.parametrize(
    ("user", "params"),
    [
        ("staff", {"course": "course_b"}),
        ("staff", {"org": "org_b"}),
        ("orgstaff", {"org": "org_b"}),
        ("orgstaff", {"course": "course_b"}),
    ],
)
def test_out_of_scope_filters_are_forbidden(
    client: TestClient, auth: Auth, site: Site, user: str, params: dict[str, str]
) -> None:
    values = {k: getattr(site, v) for k, v in params.items()}
    for chart in ("current_enrollees", "course_information", "video_plays"):
        response = client.get(f"/api/v1/dashboards/course/charts/{chart}", params=values, headers=auth(user))
        assert response.status_code == 403, (chart, values, response.text)


def test_learner_sees_only_their_own_rows(client: TestClient, auth: Auth, site: Site) -> None:
    mine = _rows(client, auth, "learner", "me", "my_courses")
    assert site.course_a in {r["course_key"] for r in mine}
    total = sum(r["events"] for r in mine)
    from learnlake.warehouse import open_warehouse

    expected = open_warehouse(site.settings).rows(
        "SELECT count(*) AS n FROM xapi_events_all_parsed WHERE actor_id = ? AND course_key <> ''",
        [site.actor],
    )[0]["n"]
    assert total == expected
    compared = _rows(client, auth, "learner", "me", "me_vs_course_activity")
    assert compared and all(r["course_average"] is not None for r in compared)


def test_analyst_sql_has_no_pii_columns(client: TestClient, auth: Auth, site: Site) -> None:
    sql = {"sql": "SELECT * FROM tracking_events LIMIT 1"}
    response = client.post("/api/v1/sql", json=sql, headers=auth("analyst"))
    assert response.status_code == 400, response.text  # per-learner rows: not without the grant
    assert "personal-data grant" in response.json()["detail"]
    op = client.post("/api/v1/sql", json=sql, headers=auth("op"))
    assert {"username", "ip", "raw"} <= set(op.json()["columns"])
    staff = client.post("/api/v1/sql", json=sql, headers=auth("staff"))
    assert staff.status_code == 200 and not {"username", "ip", "raw"} & set(staff.json()["columns"])


@pytest.mark.parametrize(
    ("user", "status"),
    [(None, 401), ("op", 200), ("orgstaff", 200), ("staff", 200), ("analyst", 200), ("learner", 403)],
)
def test_sql_api_by_role(client: TestClient, auth: Auth, user: str | None, status: int) -> None:
    response = client.post(
        "/api/v1/sql", json={"sql": "SELECT count(*) AS n FROM course_overviews"}, headers=auth(user)
    )
    assert response.status_code == status


def test_sql_api_scopes_rows(client: TestClient, auth: Auth, site: Site) -> None:
    sql = "SELECT DISTINCT course_key FROM xapi_events_all_parsed WHERE course_key <> '' ORDER BY 1"
    staff = client.post("/api/v1/sql", json={"sql": sql}, headers=auth("staff")).json()["rows"]
    assert [r["course_key"] for r in staff] == [site.course_a]
    org = client.post("/api/v1/sql", json={"sql": sql}, headers=auth("orgstaff")).json()["rows"]
    assert {r["course_key"].split(":")[1].split("+")[0] for r in org} == {site.org_a}
    # a CTE named like a table, a UNION, a sub-query: every real table reference is scoped
    for tricky in (
        "WITH xapi_events_all_parsed AS (SELECT * FROM xapi_events_all) "
        "SELECT DISTINCT course_key FROM xapi_events_all_parsed WHERE course_key <> ''",
        "SELECT course_key FROM course_overviews "
        "UNION SELECT course_key FROM xapi_events_all WHERE course_key <> ''",
        "SELECT DISTINCT course_key FROM course_blocks "
        "WHERE course_key IN (SELECT course_key FROM course_overviews)",
        "SELECT DISTINCT t.course_key FROM xapi_events_all_parsed AS t "
        "JOIN course_blocks b ON b.course_key = t.course_key",
    ):
        rows = client.post("/api/v1/sql", json={"sql": tricky}, headers=auth("staff")).json()["rows"]
        assert {r["course_key"] for r in rows} == {site.course_a}, tricky
    quarantine = client.post("/api/v1/sql", json={"sql": "SELECT * FROM quarantine"}, headers=auth("analyst"))
    assert quarantine.status_code == 400


# -- analysts: aggregates everywhere, rows about single learners only with the personal-data grant --

LISTING = Dashboard(
    "test_learner_listing",
    "Learner listing (test only)",
    (
        Chart(
            "declared",
            "Learners (declared per learner)",
            "table",
            Query(
                "SELECT actor_id AS learner, count(*) AS events FROM xapi_events_all_parsed "
                "WHERE {where} GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
            ),
            per_learner=True,
        ),
        Chart(
            "undeclared",
            "Learners (not declared: caught by the result guard)",
            "table",
            Query(
                "SELECT actor_id, count(*) AS events FROM xapi_events_all_parsed "
                "WHERE {where} GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
            ),
        ),
        Chart(
            "aggregate",
            "Learners per course",
            "table",
            Query(
                "SELECT course_key, count(DISTINCT actor_id) AS learners FROM xapi_events_all_parsed "
                "WHERE {where} GROUP BY 1 ORDER BY 1"
            ),
        ),
    ),
    roles=frozenset({"operator", "analyst", "course_staff"}),
)


@pytest.fixture(scope="module")
def granted(site: Site) -> Iterator[dict[str, str]]:
    """An analyst with the personal-data grant (`learnlake users grant NAME --pii`)."""
    store = UserStore(site.settings.data_dir)
    store.add("analyst_pii", "analyst", None)
    store.grant("analyst_pii", pii=True)
    token = store.new_token("analyst_pii", "tests")
    try:
        yield {"Authorization": f"Bearer {token}"}
    finally:
        store.remove("analyst_pii")


@pytest.fixture
def listing_client(site: Site) -> Iterator[TestClient]:
    """An app with a dashboard listing learners (registered for this module only)."""
    register(LISTING)
    try:
        yield TestClient(create_app(site.settings), client=("127.0.0.1", 40001))
    finally:
        REGISTRY.pop(LISTING.id)


@pytest.mark.parametrize(
    ("chart", "analyst", "analyst_pii", "op", "staff"),
    [("declared", 403, 200, 200, 200), ("undeclared", 403, 200, 200, 200), ("aggregate", 200, 200, 200, 200)],
)
def test_per_learner_charts_need_the_grant(
    listing_client: TestClient,
    auth: Auth,
    granted: dict[str, str],
    chart: str,
    analyst: int,
    analyst_pii: int,
    op: int,
    staff: int,
) -> None:
    url = f"/api/v1/dashboards/{LISTING.id}/charts/{chart}"
    for headers, status in (
        (auth("analyst"), analyst),
        (granted, analyst_pii),
        (auth("op"), op),
        (auth("staff"), staff),
    ):
        for fmt in ("json", "csv"):
            response = listing_client.get(url, params={"format": fmt}, headers=headers)
            assert response.status_code == status, (headers, fmt, response.text)
    listed = listing_client.get(f"/api/v1/dashboards/{LISTING.id}", headers=auth("analyst")).json()
    assert [c["id"] for c in listed["charts"]] == ["undeclared", "aggregate"]
    page = listing_client.get(f"/dashboards/{LISTING.id}", headers=auth("analyst")).text
    assert 'id="chart-declared"' not in page and 'id="chart-aggregate"' in page


def test_analyst_sql_aggregates_only_without_the_grant(
    client: TestClient, auth: Auth, granted: dict[str, str], site: Site
) -> None:
    events = {"sql": "SELECT count(DISTINCT actor_id) AS n FROM xapi_events_all_parsed"}
    refused = client.post("/api/v1/sql", json=events, headers=auth("analyst"))
    assert refused.status_code == 400 and "personal-data grant" in refused.json()["detail"]
    for sneaky in (  # the per-learner table behind a CTE, a sub-query or a model holding actor ids
        "WITH t AS (SELECT * FROM xapi_events_all) SELECT count(*) FROM t",
        "SELECT count(*) FROM course_overviews WHERE course_key IN (SELECT course_key FROM tracking_events)",
        "SELECT actor_id FROM enrollment_events",
        "SELECT username FROM fact_enrollments",
    ):
        response = client.post("/api/v1/sql", json={"sql": sneaky}, headers=auth("analyst"))
        assert response.status_code == 400, (sneaky, response.text)
    # aggregates: the course tables and the models without learner columns, every course
    daily = {"sql": "SELECT course_key, sum(course_enrollment_mode_status_cnt) AS n "
             "FROM fact_instance_enrollments GROUP BY 1 ORDER BY 1"}  # fmt: skip
    rows = client.post("/api/v1/sql", json=daily, headers=auth("analyst")).json()["rows"]
    assert {site.course_a, site.course_b} <= {r["course_key"] for r in rows}
    staff_rows = client.post("/api/v1/sql", json=daily, headers=auth("staff")).json()["rows"]
    assert [r["course_key"] for r in staff_rows] == [site.course_a]
    # with the grant: rows about learners, and personal-data columns
    assert client.post("/api/v1/sql", json=events, headers=granted).json()["rows"][0]["n"] > 0
    pii = client.post("/api/v1/sql", json={"sql": "SELECT * FROM tracking_events LIMIT 1"}, headers=granted)
    assert {"username", "ip", "raw"} <= set(pii.json()["columns"])


def test_analyst_query_cli_follows_the_grant(site: Site, granted: dict[str, str]) -> None:
    from learnlake.serve.sql_access import SqlRejected, run_as_user

    sql = "SELECT count(*) AS n FROM xapi_events_all_parsed"
    with pytest.raises(SqlRejected, match="personal-data grant"):
        run_as_user(site.settings, "analyst", sql)
    assert run_as_user(site.settings, "analyst_pii", sql).to_pylist()[0]["n"] > 0


@pytest.mark.parametrize(
    ("user", "landing"),
    [("op", "/dashboards/course"), ("staff", "/dashboards/course"), ("learner", "/dashboards/me")],
)
def test_home_lands_on_a_dashboard_the_role_may_open(
    client: TestClient, auth: Auth, user: str, landing: str
) -> None:
    browser = {**auth(user), "Accept": "text/html,application/xhtml+xml"}
    response = client.get("/", headers=browser, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == landing
    assert client.get(landing, headers=browser).status_code == 200
    status = client.get("/status", headers=browser)
    assert status.status_code == 200 and 'href="/status"' in status.text
    assert ('id="lake-tables"' in status.text) == (user == "op")  # pipeline status: operators only
    links = client.get("/", headers={**auth(user), "Accept": "application/json"}).json()
    assert links["landing"] == landing


def test_anonymous_home_goes_to_sign_in(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
