"""SQL injection attempts in every filter, parameter and the SQL API: never executed, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from serve_support import Site

from learnlake.serve.auth.scope import Principal, Scope
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.sql_access import SqlRejected, scoped_sql

Auth = Callable[[str | None], dict[str, str]]
PAYLOADS = (
    "' OR '1'='1",
    "x'; DROP TABLE course_blocks; --",
    "1) OR (1=1",
    "course-v1:A+B+C' UNION SELECT actor_id FROM xapi_events_all --",
    "$s_org_0",
    "%' OR 1=1 --",
    "\\'; SELECT getenv('HOME'); --",
    "' || (SELECT count(*) FROM quarantine) || '",
    "день'--",
    "a" * 300,
)
# values that pass the filters' character rules but are still not SQL: they must match nothing
PLAIN_BUT_HOSTILE = ("1+OR+1", "course-v1:x+y+z--", "org:1.1", "a@b.c")
COLUMN = {"org": "org", "course": "course", "run": "course", "site": "lms"}
FILTERS = ("org", "course", "run", "site", "start", "end", "grain")
CHARTS = [(d.id, c.id) for d in REGISTRY.values() if "operator" in d.roles for c in d.charts]


@pytest.mark.parametrize(("dashboard_id", "chart_id"), CHARTS)
def test_hostile_filter_values_are_rejected_or_bound(
    client: TestClient, auth: Auth, dashboard_id: str, chart_id: str
) -> None:
    url = f"/api/v1/dashboards/{dashboard_id}/charts/{chart_id}"
    for name in FILTERS:
        for payload in PAYLOADS:
            response = client.get(url, params={name: payload}, headers=auth("op"))
            assert response.status_code == 422, (name, payload, response.status_code, response.text[:200])
    for name in ("org", "course", "run", "site"):
        for payload in PLAIN_BUT_HOSTILE:
            response = client.get(url, params={name: payload}, headers=auth("op"))
            assert response.status_code == 200, response.text
            rows = response.json()["rows"]
            chart = REGISTRY[dashboard_id].chart(chart_id)
            assert chart is not None
            if (
                chart.query is not None
                and chart.kind != "number"
                and all(getattr(cols, COLUMN[name]) for cols in chart.query.slots.values())
            ):
                assert rows == [], (chart_id, name, payload)


def test_tables_survive_the_attempts(client: TestClient, auth: Auth) -> None:
    for table in ("course_blocks", "course_overviews", "quarantine", "xapi_events_all"):
        n = client.post("/api/v1/sql", json={"sql": f"SELECT count(*) AS n FROM {table}"}, headers=auth("op"))
        assert n.status_code == 200 and n.json()["rows"][0]["n"] > 0


def test_hostile_path_and_format_parameters(client: TestClient, auth: Auth) -> None:
    for path in (
        "/api/v1/dashboards/course'--/charts/x",
        "/api/v1/dashboards/course/charts/video_plays;DROP",
        "/api/v1/dashboards/%27%20OR%201=1",
        "/dashboards/..%2f..%2fetc%2fpasswd",
    ):
        assert client.get(path, headers=auth("op")).status_code in (404, 422)
    response = client.get(
        "/api/v1/dashboards/course/charts/video_plays", params={"format": "csv' --"}, headers=auth("op")
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; DROP TABLE course_blocks",
        "DROP TABLE course_blocks",
        "DELETE FROM course_blocks",
        "INSERT INTO course_blocks SELECT * FROM course_blocks",
        "UPDATE course_blocks SET display_name = 'x'",
        "CREATE TABLE x AS SELECT 1",
        "ATTACH '/tmp/x.duckdb' AS x",
        "COPY course_blocks TO '/tmp/out.csv'",
        "PRAGMA database_list",
        "SET threads = 1",
        "INSTALL httpfs",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('/tmp/*.parquet')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT read_text('/etc/passwd')",
        "SELECT getenv('HOME')",
        "SELECT current_setting('threads')",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM main.course_blocks",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM sqlite_master",
        "SELECT * FROM users",
        "SELECT $s_org_0",
        "SELECT ?",
        "WITH x AS (SELECT * FROM read_parquet('/tmp/x.parquet')) SELECT * FROM x",
        "SELECT * FROM course_blocks WHERE display_name IN (SELECT * FROM read_text('/etc/passwd'))",
        "SELECT 'unterminated",
        "",
    ],
)
def test_sql_api_rejects(client: TestClient, auth: Auth, sql: str) -> None:
    response = client.post("/api/v1/sql", json={"sql": sql}, headers=auth("op"))
    assert response.status_code in (400, 422), (sql, response.text)


def test_scoped_sql_binds_scope_values() -> None:
    hostile = "x') OR (1=1"
    principal = Principal("s", "course_staff", Scope(courses=(hostile,)))
    sql, params = scoped_sql("SELECT count(*) FROM course_blocks", principal)
    assert hostile not in sql and params == {"s_course_0": hostile}
    with pytest.raises(SqlRejected):
        scoped_sql("SELECT 1", Principal("l", "learner", Scope(actor="a")))


def test_login_and_embed_inputs(client: TestClient, site: Site) -> None:
    for name in ("' OR '1'='1", "op' --", "op"):
        response = client.post(
            "/login",
            content=f"username={name}&password=' OR '1'='1&next=/",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert response.status_code == 401
    for body in ({"course": "x' OR '1'='1"}, {"org": "'; DROP TABLE x"}, {"learner": "a' --"}):
        response = client.post(
            "/api/v1/embed/token", json=body, headers={"X-Embed-Secret": "s3cret-shared-with-the-lms"}
        )
        assert response.status_code == 422
