"""At-risk and active learners as models (Aspects' dashboard rules, with the intended semantics)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from learnlake.models import load_project
from learnlake.models.isolated import run_on_tables

PROJECT = load_project()
AS_OF = dt.datetime(2024, 3, 1, 12, 0)
C = "course-v1:Org0+DemoX+1"


def _inputs() -> dict[str, pa.Table]:
    day = dt.timedelta(days=1)
    learners = ["recent_and_old", "old_only", "no_state", "passed", "unenrolled", "never_visited", "boundary"]
    visits = {
        # Aspects as written tests "> 7 days" on every stored visit row before the max: this learner has
        # an old row (another monthly partition) and a recent one, and would be listed; here it is not.
        "recent_and_old": [AS_OF - 40 * day, AS_OF - 2 * day],
        "old_only": [AS_OF - 10 * day],
        "no_state": [AS_OF - 9 * day],
        "passed": [AS_OF - 30 * day],
        "unenrolled": [AS_OF - 30 * day],
        "boundary": [AS_OF - 7 * day],  # exactly 7 days: active, not at risk
    }
    nav = [(a, t) for a, ts in visits.items() for t in ts]
    navigation_events = pa.table(
        {
            "event_id": [f"e{i}" for i in range(len(nav))],
            "emission_time": [t for _, t in nav],
            "actor_id": [a for a, _ in nav],
            "block_id": ["b"] * len(nav),
            "course_key": [C] * len(nav),
            "org": ["Org0"] * len(nav),
            "verb_id": ["https://w3id.org/xapi/dod-isd/verbs/navigated"] * len(nav),
            "object_type": ["x"] * len(nav),
            "starting_position": [1] * len(nav),
            "ending_point": ["next unit"] * len(nav),
            "event_date": [t.date() for _, t in nav],
        }
    )
    enrolled = pa.table(
        {
            "org": ["Org0"] * len(learners),
            "course_key": [C] * len(learners),
            "actor_id": learners,
            "enrollment_status": ["unregistered" if a == "unenrolled" else "registered" for a in learners],
            "enrollment_mode": ["audit"] * len(learners),
            "emission_time": [AS_OF - 60 * day] * len(learners),
        }
    )
    states = [a for a in learners if a != "no_state"]
    state = pa.table(
        {
            "org": ["Org0"] * len(states),
            "course_key": [C] * len(states),
            "actor_id": states,
            "approving_state": ["passed" if a == "passed" else "failed" for a in states],
            "emission_time": [AS_OF - 50 * day] * len(states),
        }
    )
    empty_grade = pa.table(
        {
            "org": pa.array([], pa.string()),
            "course_key": pa.array([], pa.string()),
            "actor_id": pa.array([], pa.string()),
            "course_grade": pa.array([], pa.float64()),
            "emission_time": pa.array([], pa.timestamp("us")),
        }
    )
    names = pa.table(
        {"course_key": [C], "course_name": ["Course"], "course_run": ["1"], "org": ["Org0"], "tags_str": [""]}
    )
    pii = pa.table(
        {
            "user_id": pa.array([], pa.int32()),
            "external_user_id": pa.array([], pa.string()),
            "username": pa.array([], pa.string()),
            "name": pa.array([], pa.string()),
            "email": pa.array([], pa.string()),
        }
    )
    return {
        "navigation_events": navigation_events,
        "dim_most_recent_enrollment": enrolled,
        "dim_learner_most_recent_course_state": state,
        "dim_learner_most_recent_course_grade": empty_grade,
        "dim_course_names": names,
        "user_pii": pii,
    }


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_at_risk_uses_the_latest_visit_and_the_configured_days(engine: str) -> None:
    rows = run_on_tables(
        PROJECT.models, "at_risk_learners", _inputs(), engine=engine, as_of=AS_OF
    ).to_pylist()
    assert sorted(r["actor_id"] for r in rows) == ["no_state", "old_only"]
    by = {r["actor_id"]: r for r in rows}
    assert by["no_state"]["approving_state"] == "failed"  # no grade state counts as failing
    assert by["no_state"]["course_grade"] is None and by["no_state"]["grade_bucket"] == "no grade"
    assert by["old_only"]["days_since_visit"] == 10
    # N is a setting: with 9.5 days only old_only remains at risk
    rows = run_on_tables(
        PROJECT.models,
        "at_risk_learners",
        _inputs(),
        engine=engine,
        as_of=AS_OF - dt.timedelta(hours=-12),
        at_risk_days=10,
    ).to_pylist()
    assert sorted(r["actor_id"] for r in rows) == ["old_only"]


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_active_learners_visited_within_n_days(engine: str) -> None:
    rows = run_on_tables(PROJECT.models, "active_learners", _inputs(), engine=engine, as_of=AS_OF).to_pylist()
    assert sorted(r["actor_id"] for r in rows) == ["boundary", "recent_and_old"]
    rows = run_on_tables(
        PROJECT.models, "active_learners", _inputs(), engine=engine, as_of=AS_OF, active_days=1
    ).to_pylist()
    assert rows == []
