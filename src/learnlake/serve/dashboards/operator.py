"""Operator / instance dashboard: users, courses, orgs, activity over time and the pipeline's health.

Built on what the pipeline writes (xapi_events_all_parsed, the enrollment and instance models,
course_overviews, quarantine and the run history), like Aspects' Operator Dashboard
(specs/aspects.md §5.2) plus ingest health. Distinct learners and courses per period cannot be
summed from the daily models, so those charts still count them on the events.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from learnlake.config import Settings
from learnlake.serve.auth.scope import Columns, Principal
from learnlake.serve.dashboards.course_queries import PERIOD
from learnlake.serve.dashboards.framework import Chart, Dashboard, Filters, Query, labelled, register
from learnlake.serve.i18n import N_
from learnlake.state import StateStore

EVENTS = Columns()
ENTITIES = Columns(actor=None, time=None)
QUARANTINE = Columns(org=None, course=None, actor=None, time="quarantined_at")
REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
UNREGISTERED = (
    "http://id.tincanapi.com/verb/unregistered",
    "https://w3id.org/xapi/openedx/verb/unregistered",
)
ENROLLMENT_VERBS = f"('{REGISTERED}', '{UNREGISTERED[0]}', '{UNREGISTERED[1]}')"
OPERATOR_ONLY = frozenset({"operator"})
ENROLLMENT_MODEL = Columns(lms=None)  # the enrollment_events model has no lms column
# instance-wide daily counts (fact_instance_*): no org, course or site; days, not timestamps.
# A request filtering on those, or by the hour, is answered from the events (the fallback).
INSTANCE_DAILY = Columns(org=None, course=None, actor=None, lms=None, time="emission_day", time_grain="day")
INSTANCE_DAILY_DISTINCT = Columns(
    org=None, course=None, actor=None, lms=None, time="emission_day", time_grain="day", grain_only=True
)

LABELS = {
    "learners": N_("Learners"),
    "courses": N_("Courses"),
    "orgs": N_("Organizations"),
    "events": N_("Events"),
    "period": N_("Period"),
    "org": N_("Organization"),
    "course_key": N_("Course"),
    "enrollment_mode": N_("Enrollment track"),
    "status": N_("Status"),
    "enrollments": N_("Enrollments"),
    "records": N_("Records"),
    "stage": N_("Stage"),
    "reason": N_("Reason"),
    "last_seen": N_("Last seen"),
    "last_event": N_("Last event received"),
    "lag_s": N_("Seconds since the last event"),
    "started_at": N_("Started (UTC)"),
    "duration_s": N_("Duration (s)"),
    "rows_in": N_("Rows in"),
    "rows_out": N_("Rows out"),
    "quarantined": N_("Quarantined"),
    "message": N_("Details"),
}


def _runs(settings: Settings, principal: Principal, filters: Filters) -> list[dict[str, Any]]:
    """The last runs of the pipeline (run history)."""
    if not (Path(settings.state_dir) / "state.sqlite").exists():
        return []
    store = StateStore(settings.state_dir)
    try:
        runs = store.runs(limit=20)
    finally:
        store.close()
    keep = ("stage", "started_at", "duration_s", "rows_in", "rows_out", "quarantined", "status", "message")
    rows = [{k: asdict(r)[k] for k in keep} for r in runs]
    for row in rows:  # a failed stage's message can be long: the table shows its start
        if row["message"] and len(row["message"]) > 200:
            row["message"] = row["message"][:200] + "…"
    return rows


def _over_time(measure: str, alias: str) -> Query:
    return Query(
        f"SELECT {PERIOD} AS period, {measure} AS {alias} "
        "FROM xapi_events_all_parsed WHERE {where} GROUP BY 1 ORDER BY 1"
    )


CHARTS = (
    Chart(
        "total_learners",
        N_("Total learners"),
        "number",
        Query("SELECT count(DISTINCT actor_id) AS learners FROM xapi_events_all_parsed WHERE {where}"),
        y=("learners",),
    ),
    Chart(
        "total_courses",
        N_("Total courses"),
        "number",
        Query(
            "SELECT count(DISTINCT course_key) AS courses FROM ("
            "SELECT course_key FROM course_overviews WHERE {entities} "
            "UNION ALL SELECT DISTINCT course_key FROM xapi_events_all_parsed WHERE {where}) "
            "WHERE course_key <> ''",
            {"where": EVENTS, "entities": ENTITIES},
        ),
        y=("courses",),
    ),
    Chart(
        "total_orgs",
        N_("Total organizations"),
        "number",
        Query(
            "SELECT count(DISTINCT org) AS orgs FROM ("
            "SELECT org FROM course_overviews WHERE {entities} "
            "UNION ALL SELECT DISTINCT org FROM xapi_events_all_parsed WHERE {where}) WHERE org <> ''",
            {"where": EVENTS, "entities": ENTITIES},
        ),
        y=("orgs",),
    ),
    Chart(
        "last_event",
        N_("Last event received"),
        "number",
        Query("SELECT max(emission_time) AS last_event FROM xapi_events_all_parsed WHERE {where}"),
        y=("last_event",),
    ),
    Chart(
        "ingest_lag",
        N_("Ingest lag (seconds since the last event)"),
        "number",
        Query(
            "SELECT CAST(date_diff('second', max(emission_time), $now) AS BIGINT) AS lag_s "
            "FROM xapi_events_all_parsed WHERE {where}"
        ),
        y=("lag_s",),
    ),
    Chart(
        "quarantined_total",
        N_("Quarantined records"),
        "number",
        Query("SELECT count(*) AS records FROM quarantine WHERE {where}", {"where": QUARANTINE}),
        y=("records",),
        roles=OPERATOR_ONLY,
    ),
    Chart(
        "active_learners",
        N_("Active learners"),
        "line",
        Query(  # by day (the default view) from the model; other grains count on the events
            "SELECT emission_day::TIMESTAMPTZ AS period, actors AS learners FROM fact_instance_actors "
            "WHERE {where} ORDER BY 1",
            {"where": INSTANCE_DAILY_DISTINCT},
            fallback=_over_time("count(DISTINCT actor_id)", "learners"),
        ),
        x="period",
        y=("learners",),
    ),
    Chart(
        "active_courses",
        N_("Active courses"),
        "line",
        _over_time("count(DISTINCT course_key)", "courses"),
        x="period",
        y=("courses",),
    ),
    Chart(
        "event_activity",
        N_("Event activity"),
        "bar",
        Query(
            "SELECT date_trunc($grain, emission_day)::TIMESTAMPTZ AS period, sum(events)::BIGINT AS events "
            "FROM fact_instance_events WHERE {where} GROUP BY 1 ORDER BY 1",
            {"where": INSTANCE_DAILY},
            fallback=_over_time("count(*)", "events"),
        ),
        x="period",
        y=("events",),
    ),
    Chart(
        "courses_per_org",
        N_("Courses per organization"),
        "pie",
        Query(
            "SELECT org, count(DISTINCT course_key) AS courses FROM course_overviews WHERE {where} "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            {"where": ENTITIES},
        ),
        x="org",
        y=("courses",),
    ),
    Chart(
        "active_users_per_org",
        N_("Active learners per organization"),
        "pie",
        Query(
            "SELECT org, count(DISTINCT actor_id) AS learners FROM xapi_events_all_parsed "
            "WHERE {where} AND org <> '' GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
        x="org",
        y=("learners",),
    ),
    Chart(
        "enrollments_over_time",
        N_("Course enrollments over time"),
        "line",
        Query(
            "SELECT date_trunc($grain, emission_time)::TIMESTAMPTZ AS period, enrollment_status AS status, "
            "count(*) AS enrollments FROM enrollment_events WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            {"where": ENROLLMENT_MODEL},
            fallback=Query(
                f"SELECT {PERIOD} AS period, "
                f"CASE WHEN verb_id = '{REGISTERED}' THEN 'registered' ELSE 'unregistered' END AS status, "
                "count(*) AS enrollments FROM xapi_events_all_parsed WHERE {where} "
                f"AND verb_id IN {ENROLLMENT_VERBS} "
                "GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        ),
        x="period",
        y=("enrollments",),
        series="status",
    ),
    Chart(
        "active_enrollments_by_mode",
        N_("Current enrollments by mode"),
        "table",
        Query(
            "SELECT org, course_key, enrollment_mode, count(*) AS learners FROM ("
            "SELECT org, course_key, actor_id, arg_max(enrollment_status, emission_time) AS status, "
            "arg_max(enrollment_mode, emission_time) AS enrollment_mode FROM enrollment_events "
            "WHERE {where} GROUP BY 1, 2, 3) WHERE status = 'registered' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            {"where": ENROLLMENT_MODEL},
            fallback=Query(
                "SELECT org, course_key, enrollment_mode, count(*) AS learners FROM ("
                "SELECT org, course_key, actor_id, arg_max(verb_id, emission_time) AS last_verb, "
                "arg_max(json_extract_string(event, "
                "'$.object.definition.extensions.\"https://w3id.org/xapi/acrossx/extensions/type\"'), "
                "emission_time) AS enrollment_mode FROM xapi_events_all_parsed WHERE {where} "
                f"AND verb_id IN {ENROLLMENT_VERBS} GROUP BY 1, 2, 3) "
                f"WHERE last_verb = '{REGISTERED}' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
        ),
        y=("learners",),
        width=2,
    ),
    Chart(
        "quarantine_reasons",
        N_("Quarantined records by reason"),
        "table",
        Query(
            "SELECT stage, left(reason, 120) AS reason, count(*) AS records, "
            "max(quarantined_at) AS last_seen "
            "FROM quarantine WHERE {where} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 50",
            {"where": QUARANTINE},
        ),
        y=("records",),
        roles=OPERATOR_ONLY,
        width=2,
    ),
    Chart(
        "last_runs",
        N_("Last pipeline runs"),
        "table",
        data=_runs,
        roles=OPERATOR_ONLY,
        width=2,
    ),
)

OPERATOR = register(
    Dashboard(
        "operator",
        N_("Operator"),
        labelled(CHARTS, LABELS),
        roles=frozenset({"operator", "analyst"}),
        description=N_("The instance: learners, courses and organizations, activity and pipeline health."),
    )
)
