"""A learner's own view: their activity and results next to their courses' averages.

Only a learner's own rows are shown; the course averages come from a `peers` slot, which a
learner's scope turns into "the courses this learner has events in", and only aggregates are
selected from it.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.course_queries import EVALUATED, PERIOD, PLAYED
from learnlake.serve.dashboards.framework import Chart, Dashboard, Query, labelled, register
from learnlake.serve.i18n import N_

MINE = Columns()
PEERS = Columns(peers=True)

_RESULTS = (
    "SELECT course_key, json_extract(event, '$.result.success')::BOOLEAN AS ok FROM xapi_events_all_parsed "
    f"WHERE {{slot}} AND verb_id = '{EVALUATED}' AND course_key <> ''"
)

LABELS = {
    "course_key": N_("Course"),
    "events": N_("Events"),
    "last_visit": N_("Last visit"),
    "video_plays": N_("Video plays"),
    "problems_attempted": N_("Problems attempted"),
    "correct_pct": N_("% correct"),
    "period": N_("Period"),
    "my_events": N_("My events"),
    "course_average": N_("Course average"),
    "my_correct_pct": N_("My % correct"),
    "course_correct_pct": N_("Course % correct"),
}

CHARTS = (
    Chart(
        "my_courses",
        N_("My courses"),
        "table",
        Query(
            "SELECT course_key, count(*) AS events, max(emission_time) AS last_visit, "
            f"count(*) FILTER (WHERE verb_id = '{PLAYED}') AS video_plays, "
            f"count(DISTINCT object_id) FILTER (WHERE verb_id = '{EVALUATED}') AS problems_attempted, "
            "round(100.0 * count(*) FILTER (WHERE verb_id = '"
            + EVALUATED
            + "' AND json_extract(event, '$.result.success')::BOOLEAN) / "
            f"nullif(count(*) FILTER (WHERE verb_id = '{EVALUATED}'), 0), 1) AS correct_pct "
            "FROM xapi_events_all_parsed WHERE {where} AND course_key <> '' GROUP BY 1 ORDER BY 1",
            {"where": MINE},
        ),
        width=2,
    ),
    Chart(
        "my_activity",
        N_("My activity over time"),
        "bar",
        Query(
            f"SELECT {PERIOD} AS period, count(*) AS events "
            "FROM xapi_events_all_parsed WHERE {where} GROUP BY 1 ORDER BY 1",
            {"where": MINE},
        ),
        x="period",
        y=("events",),
    ),
    Chart(
        "me_vs_course_activity",
        N_("My activity and the course average"),
        "bar",
        Query(
            "WITH mine AS (SELECT course_key, count(*) AS my_events FROM xapi_events_all_parsed "
            "WHERE {where} AND course_key <> '' GROUP BY 1), "
            "peers AS (SELECT course_key, count(*) / count(DISTINCT actor_id) AS avg_events "
            "FROM xapi_events_all_parsed WHERE {peers} AND course_key <> '' GROUP BY 1) "
            "SELECT mine.course_key, my_events, round(avg_events, 1) AS course_average "
            "FROM mine JOIN peers USING (course_key) ORDER BY 1",
            {"where": MINE, "peers": PEERS},
        ),
        x="course_key",
        y=("my_events", "course_average"),
    ),
    Chart(
        "me_vs_course_problems",
        N_("My problem results and the course average"),
        "bar",
        Query(
            "WITH mine AS (SELECT course_key, round(100.0 * count(*) FILTER (WHERE ok) / count(*), 1) "
            f"AS my_correct_pct FROM ({_RESULTS.format(slot='{where}')}) GROUP BY 1), "
            "peers AS (SELECT course_key, round(100.0 * count(*) FILTER (WHERE ok) / count(*), 1) "
            f"AS course_correct_pct FROM ({_RESULTS.format(slot='{peers}')}) GROUP BY 1) "
            "SELECT mine.course_key, my_correct_pct, course_correct_pct "
            "FROM mine JOIN peers USING (course_key) ORDER BY 1",
            {"where": MINE, "peers": PEERS},
        ),
        x="course_key",
        y=("my_correct_pct", "course_correct_pct"),
    ),
)

LEARNER = register(
    Dashboard(
        "me",
        N_("My progress"),
        labelled(CHARTS, LABELS),
        roles=frozenset({"learner", "embed"}),
        filters=("course", "start", "end", "grain"),
        description=N_("Your activity and results, next to the average of your courses."),
    )
)
