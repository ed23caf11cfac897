"""The dashboard framework: slots become bound predicates; a model-based query falls back to events."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from serve_support import Site

from learnlake.serve.auth.scope import Columns, Principal, Scope
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Filters, Query
from learnlake.serve.dashboards.runner import QueryRunner
from learnlake.serve.dashboards.service import run_query


def test_slots_become_bound_predicates() -> None:
    query = Query(
        "SELECT count(*) FROM t WHERE {where} AND x IN (SELECT y FROM u WHERE {other})",
        {"where": Columns(), "other": Columns(actor=None, time=None)},
    )
    who = Principal("s", "course_staff", Scope(courses=("course-v1:A+B+C", "course-v1:A+B+D")))
    sql, params = query.render(who, Filters(org="A", start=dt.date(2026, 1, 1), grain="week"))
    assert "course-v1" not in sql and "'A'" not in sql
    assert sql.count("course_key IN ($s_course_0, $s_course_1)") == 2
    assert params["s_course_1"] == "course-v1:A+B+D" and params["f_org"] == "A"
    assert params["f_start"] == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert "grain" not in params  # only the parameters the SQL uses are bound
    learner = Principal("l", "learner", Scope(actor="a-1"))
    sql, params = query.render(learner, Filters())
    assert "FALSE" in sql  # the `other` slot has no actor column: a learner sees nothing there


def test_missing_model_falls_back_to_events(site: Site) -> None:
    runner = QueryRunner(site.settings)
    fallback = Query("SELECT count(*) AS n FROM xapi_events_all_parsed WHERE {where}")
    query = Query("SELECT count(*) AS n FROM model_that_is_not_built WHERE {where}", fallback=fallback)
    who = Principal("op", "operator")
    assert run_query(runner, query, who, Filters()).to_pylist()[0]["n"] > 0


def test_model_and_event_queries_agree(site: Site) -> None:
    """Where a chart reads a model, its event-based fallback gives the same rows."""
    runner = QueryRunner(site.settings)
    who = Principal("op", "operator")
    checked = 0
    for chart in REGISTRY["course"].charts:
        if chart.query is None or chart.query.fallback is None:
            continue
        for filters in (Filters(), Filters(course=site.course_a, grain="week")):
            primary = run_query(runner, chart.query, who, filters).to_pylist()
            events = run_query(runner, chart.query.fallback, who, filters).to_pylist()
            assert primary == events, chart.id
        checked += 1
    assert checked >= 4


def test_favicon_ico_is_answered(client: TestClient) -> None:
    """Error pages have no icon link, so browsers ask for /favicon.ico: it must not be a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg")


def test_csv_downloads_defuse_spreadsheet_formulas() -> None:
    """Learner-written text starting like a formula is quoted; numbers and plain text are untouched."""
    import pyarrow as pa

    from learnlake.serve.dashboards.service import chart_csv

    table = pa.table(
        {"title": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "plain", None], "n": [-1, 2, 3, 4, 5, 6]}
    )
    lines = chart_csv(table).decode().splitlines()
    assert lines == [
        '"title","n"',
        '"\'=HYPERLINK(""x"")",-1',
        '"\'+1",2',
        '"\'-2",3',
        '"\'@SUM(A1)",4',
        '"plain",5',
        ",6",
    ]
