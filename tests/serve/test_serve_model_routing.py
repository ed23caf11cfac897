"""Charts read the SQL models, and fall back to the events exactly when a model cannot answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from serve_support import Site

from learnlake.serve.auth.scope import Principal, Scope, principal_for
from learnlake.serve.auth.store import UserStore
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Filters
from learnlake.serve.dashboards.prewarm import Prewarmer, dashboards_in_order
from learnlake.serve.dashboards.runner import QueryRunner
from learnlake.serve.dashboards.service import answers, run_query

OP = Principal("op", "operator")


def _query(dashboard: str, chart: str) -> Any:
    found = REGISTRY[dashboard].chart(chart)
    assert found is not None and found.query is not None
    return found.query


def test_event_activity_from_the_daily_model_matches_the_events(site: Site) -> None:
    runner = QueryRunner(site.settings)
    query = _query("operator", "event_activity")
    assert "fact_instance_events" in query.sql and query.fallback is not None
    for filters in (Filters(), Filters(grain="week"), Filters(grain="month", start=dt.date(2026, 10, 5))):
        assert answers(query, OP, filters)
        rows = run_query(runner, query, OP, filters).to_pylist()
        assert rows and rows == run_query(runner, query.fallback, OP, filters).to_pylist(), filters


def test_daily_distinct_learners_come_from_the_model_by_day_only(site: Site) -> None:
    runner = QueryRunner(site.settings)
    query = _query("operator", "active_learners")
    assert "fact_instance_actors" in query.sql and query.fallback is not None
    by_day = Filters(start=dt.date(2026, 10, 3))
    assert answers(query, OP, by_day)
    rows = run_query(runner, query, OP, by_day).to_pylist()
    assert rows and rows == runner.run(*query.fallback.render(OP, by_day)).to_pylist()
    for grain in ("week", "month", "hour"):  # daily distinct counts do not add up: the events
        assert not answers(query, OP, Filters(grain=grain))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("filters", "principal"),
    [
        ({"org": "org_a"}, OP),  # the instance model has no org: answered from the events
        ({"course": "course_a"}, OP),
        ({"grain": "hour"}, OP),  # days cannot be cut into hours
        ({}, Principal("orgstaff", "org_staff", Scope(orgs=("org_a",)))),  # a scope needs the org too
    ],
)
def test_filters_a_model_cannot_answer_go_to_the_events(
    site: Site, filters: dict[str, str], principal: Principal
) -> None:
    runner = QueryRunner(site.settings)
    query = _query("operator", "event_activity")
    values = Filters(**{k: getattr(site, v, v) for k, v in filters.items()})
    assert not answers(query, principal, values)
    routed = run_query(runner, query, principal, values).to_pylist()
    assert routed == runner.run(*query.fallback.render(principal, values)).to_pylist()
    everything = run_query(runner, query, OP, Filters(grain=values.grain)).to_pylist()
    if filters.get("grain") != "hour":  # a narrower view: fewer events than the whole instance
        assert sum(r["events"] for r in routed) < sum(r["events"] for r in everything)


def test_site_filter_is_honoured_on_course_models(site: Site) -> None:
    runner = QueryRunner(site.settings)
    host = site.settings.site.host
    for chart in ("video_plays", "pages_per_section", "enrollment_events", "current_enrollees"):
        query = _query("course", chart)
        assert query.fallback is not None and "xapi_events_all_parsed" not in query.sql, chart
        for lms, expect_rows in ((host, True), ("other.site", False)):
            rows = run_query(runner, query, OP, Filters(site=lms)).to_pylist()
            assert rows == runner.run(*query.fallback.render(OP, Filters(site=lms))).to_pylist(), chart
            has_data = bool(rows) and any(v not in (0, None) for r in rows for v in r.values())
            assert has_data == expect_rows, (chart, lms, rows)


def test_prewarm_covers_the_landing_page_and_stored_staff(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [d.id for d in dashboards_in_order()][:2] == ["course", "operator"]
    runner = QueryRunner(site.settings)
    warmer = Prewarmer(runner, UserStore(site.settings.data_dir))
    assert {p.name for p in warmer.staff()} >= {"staff", "orgstaff", "analyst"}
    assert warmer.warm_once() > 0

    def no_more_queries(sql: str, params: dict[str, Any]) -> Any:
        raise AssertionError(f"not prewarmed: {sql[:80]}")

    monkeypatch.setattr(runner, "_execute", no_more_queries)
    staff = UserStore(site.settings.data_dir).get("staff")
    assert staff is not None
    for principal in (OP, principal_for(staff, "session")):
        for chart in REGISTRY["course"].charts:
            if chart.query is not None and chart.allowed(principal) and "$now" not in chart.query.sql:
                run_query(runner, chart.query, principal, Filters())  # served from the cache
