"""Authorization matrix: every endpoint × every role × in and out of scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from serve_support import Site

from learnlake.serve.dashboards import REGISTRY

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


def test_analyst_sql_has_no_pii_columns(client: TestClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/sql", json={"sql": "SELECT * FROM tracking_events LIMIT 1"}, headers=auth("analyst")
    )
    assert response.status_code == 200, response.text
    assert not {"username", "ip", "raw"} & set(response.json()["columns"])
    op = client.post("/api/v1/sql", json={"sql": "SELECT * FROM tracking_events LIMIT 1"}, headers=auth("op"))
    assert {"username", "ip", "raw"} <= set(op.json()["columns"])


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
