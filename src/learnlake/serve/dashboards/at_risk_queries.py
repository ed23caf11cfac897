"""The At-risk learners dashboard's queries: the `at_risk_learners` model and what the segment did.

Every query starts from the at-risk segment (failing, still enrolled, no visit for more than
`models.at_risk_days` days; see the model's header) and joins the engagement models on
(org, course_key, actor_id), so both sides carry the caller's scope and filters.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.framework import Query

# model tables have no lms partition; at-risk is a status as of now, so dates do not filter it
MODEL = Columns(lms=None, time=None)
# event models: the date filter applies to the event time
EVENTS = Columns(lms=None)
SEGMENT = "risk AS (SELECT org, course_key, actor_id FROM at_risk_learners WHERE {where})"


def learner_view(actor: str = "actor_id", course: str = "course_key") -> str:
    """A link to one learner's view in one course (the page adds its other filters to it)."""
    return f"concat('/dashboards/learner?learner=', url_encode({actor}), '&course=', url_encode({course}))"


def per_course(name: str, course: str) -> str:
    """A content name, prefixed with its course when the rows span several courses (names repeat)."""
    return (
        f"CASE WHEN count(DISTINCT {course}) OVER () > 1 "
        f"THEN concat(regexp_replace({course}, '^[^:]*:[^+]*[+]', ''), ' · ', {name}) ELSE {name} END"
    )


AT_RISK_COUNT = Query(
    "SELECT count(DISTINCT actor_id) AS learners FROM at_risk_learners WHERE {where}",
    {"where": MODEL},
)

AT_RISK_PER_COURSE = Query(
    "WITH enrolled AS (SELECT org, course_key, count(*) AS enrollees FROM dim_most_recent_enrollment "
    "WHERE {enrolled} AND enrollment_status = 'registered' GROUP BY 1, 2), "
    "risk AS (SELECT org, course_key, any_value(course_name) AS course_name, count(*) AS at_risk "
    "FROM at_risk_learners WHERE {where} GROUP BY 1, 2) "
    "SELECT e.org, e.course_key, coalesce(r.course_name, e.course_key) AS course_name, e.enrollees, "
    "coalesce(r.at_risk, 0) AS at_risk, "
    "round(100.0 * coalesce(r.at_risk, 0) / e.enrollees, 1) AS at_risk_pct "
    "FROM enrolled e LEFT JOIN risk r ON r.org = e.org AND r.course_key = e.course_key "
    "ORDER BY at_risk_pct DESC, e.course_key",
    {"where": MODEL, "enrolled": MODEL},
)

LEARNERS = Query(
    f"SELECT course_key, actor_id, {learner_view()} AS learner_view, username, name, email, enrollment_mode, "
    "round(100 * course_grade, 1) AS grade_pct, grade_bucket, enrolled_at::TIMESTAMPTZ AS enrolled_at, "
    "last_visited::TIMESTAMPTZ AS last_visited, days_since_visit "
    "FROM at_risk_learners WHERE {where} ORDER BY days_since_visit DESC, course_key, actor_id",
    {"where": MODEL},
)

LAST_VISIT = Query(
    "SELECT date_trunc($grain, last_visited)::TIMESTAMPTZ AS period, count(*) AS learners "
    "FROM at_risk_learners WHERE {where} GROUP BY 1 ORDER BY 1",
    {"where": MODEL},
)

DAYS_SINCE_VISIT = Query(
    "SELECT days_since_visit, learners FROM (SELECT CASE WHEN days_since_visit <= 14 THEN '≤ 14' "
    "WHEN days_since_visit <= 30 THEN '15–30' "
    "WHEN days_since_visit <= 60 THEN '31–60' WHEN days_since_visit <= 90 THEN '61–90' ELSE '> 90' END "
    "AS days_since_visit, count(*) AS learners, min(days_since_visit) AS first_day "
    "FROM at_risk_learners WHERE {where} GROUP BY 1) ORDER BY first_day",
    {"where": MODEL},
)

BY_TRACK = Query(
    "SELECT coalesce(enrollment_mode, 'unknown') AS enrollment_mode, count(*) AS learners "
    "FROM at_risk_learners WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1",
    {"where": MODEL},
)

ENROLLMENT_DATES = Query(
    "SELECT date_trunc($grain, enrolled_at)::TIMESTAMPTZ AS period, count(*) AS learners "
    "FROM at_risk_learners WHERE {where} GROUP BY 1 ORDER BY 1",
    {"where": MODEL},
)

GRADE_BUCKETS = Query(
    "SELECT grade_bucket, count(*) AS learners FROM at_risk_learners WHERE {where} GROUP BY 1 "
    "ORDER BY CASE WHEN grade_bucket = 'no grade' THEN -1 "
    "ELSE CAST(split_part(grade_bucket, '-', 1) AS INTEGER) END",
    {"where": MODEL},
)

PAGES_OVER_TIME = Query(
    f"WITH {SEGMENT} "
    "SELECT date_trunc($grain, n.emission_time)::TIMESTAMPTZ AS period, count(*) AS page_views, "
    "count(DISTINCT n.actor_id) AS learners "
    "FROM (SELECT org, course_key, actor_id, emission_time FROM navigation_events WHERE {events}) n "
    "JOIN risk r ON r.org = n.org AND r.course_key = n.course_key AND r.actor_id = n.actor_id "
    "GROUP BY 1 ORDER BY 1",
    {"where": MODEL, "events": EVENTS},
)


def _engagement(model: str, label: str, all_value: str, one_value: str) -> Query:
    """Segment learners per subsection who engaged with all / at least one item (Aspects' charts)."""
    name = per_course("any_value(f.section_subsection_name)", "f.course_key")
    return Query(
        f"WITH {SEGMENT} "
        f"SELECT {name} AS subsection, "
        f"count(DISTINCT f.actor_id) FILTER (WHERE f.{label} = '{all_value}') AS engaged_all, "
        f"count(DISTINCT f.actor_id) FILTER (WHERE f.{label} = '{one_value}') AS engaged_one "
        f"FROM (SELECT * FROM {model} WHERE {{facts}} AND content_level = 'subsection') f "
        "JOIN risk r ON r.org = f.org AND r.course_key = f.course_key AND r.actor_id = f.actor_id "
        "GROUP BY f.course_key, f.block_id ORDER BY f.course_key, any_value(f.section_subsection_name)",
        {"where": MODEL, "facts": MODEL},
    )


PAGE_ENGAGEMENT = _engagement(
    "fact_pageview_engagement",
    "section_subsection_page_engagement",
    "All pages viewed",
    "At least one page viewed",
)
VIDEO_ENGAGEMENT = _engagement(
    "fact_video_engagement",
    "section_subsection_video_engagement",
    "All videos viewed",
    "At least one video viewed",
)
PROBLEM_ENGAGEMENT = _engagement(
    "fact_problem_engagement",
    "section_subsection_problem_engagement",
    "All problems attempted",
    "At least one problem attempted",
)

PROBLEM_RESULTS = Query(
    f"WITH {SEGMENT} "
    f"SELECT {per_course('any_value(c.display_name_with_location)', 'c.course_key')} AS problem, "
    "any_value(c.graded) AS graded, count(*) AS learners, "
    "round(avg(c.correct_attempts_by_learner + c.incorrect_attempts_by_learner), 2) AS attempts, "
    "round(100 * avg(c.selected_learner_percent_correct), 1) AS correct_pct, "
    "round(100 * any_value(c.coursewide_percent_correct), 1) AS coursewide_correct_pct "
    "FROM (SELECT * FROM dim_problem_coursewide_avg WHERE {facts}) c "
    "JOIN risk r ON r.org = c.org AND r.course_key = c.course_key AND r.actor_id = c.actor_id "
    "GROUP BY c.course_key, c.problem_id "
    "ORDER BY c.course_key, any_value(c.display_name_with_location)",
    {"where": MODEL, "facts": MODEL},
)
