"""The Individual learner dashboard's queries, on the learner-level models.

Each query reads rows keyed by (org, course_key, actor_id), so the `learner` URL filter narrows it
to one learner and the caller's scope (bound predicates on org and course) still applies: a course
staff member naming a learner of another course gets nothing. Without a learner the same queries
describe every learner in scope (as Aspects' dashboard does before a learner is picked), and the
summary table is the picker.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.at_risk_queries import EVENTS, MODEL, learner_view, per_course
from learnlake.serve.dashboards.course_queries import EVALUATED
from learnlake.serve.dashboards.framework import Query

BLOCKS = Columns(actor=None, time=None, lms=None)
SUMMARY_ROWS = 1000  # the picker: most recent visitors first

SUMMARY = Query(
    "WITH status AS (SELECT * FROM dim_student_status WHERE {where}), "
    "visits AS (SELECT org, course_key, actor_id, last_visited FROM dim_learner_last_course_visit "
    "WHERE {visits}), "
    "risk AS (SELECT org, course_key, actor_id FROM at_risk_learners WHERE {risk}) "
    "SELECT s.course_key, s.actor_id, "
    f"{learner_view('s.actor_id', 's.course_key')} AS learner_view, "
    "s.username, s.name, s.email, s.enrollment_mode, "
    "s.enrollment_status, s.enrolled_at::TIMESTAMPTZ AS enrolled_at, "
    "v.last_visited::TIMESTAMPTZ AS last_visited, s.approving_state, "
    "round(100 * s.course_grade, 1) AS grade_pct, "
    "s.grade_bucket, r.actor_id IS NOT NULL AS at_risk "
    "FROM status s "
    "LEFT JOIN visits v ON v.org = s.org AND v.course_key = s.course_key AND v.actor_id = s.actor_id "
    "LEFT JOIN risk r ON r.org = s.org AND r.course_key = s.course_key AND r.actor_id = s.actor_id "
    "ORDER BY v.last_visited DESC NULLS LAST, s.course_key, s.actor_id "
    f"LIMIT {SUMMARY_ROWS}",
    {"where": MODEL, "visits": MODEL, "risk": MODEL},
)

GRADE = Query(
    "SELECT round(100 * avg(course_grade), 1) AS grade_pct FROM dim_student_status WHERE {where}",
    {"where": MODEL},
)

PAGES_VISITED = Query(
    "SELECT count(*) AS pages FROM fact_navigation_completion WHERE {where}",
    {"where": MODEL},
)

# videos: the compact ranges model (one row per run of seconds), else the per-second segments
VIDEOS_WATCHED = Query(
    "SELECT count(*) AS videos FROM (SELECT DISTINCT actor_id, object_id FROM fact_video_segment_ranges "
    "WHERE {where})",
    {"where": MODEL},
    fallback=Query(
        "SELECT count(*) AS videos FROM (SELECT DISTINCT actor_id, object_id FROM fact_video_segments "
        "WHERE {where})",
        {"where": MODEL},
    ),
)

PROBLEMS_ATTEMPTED = Query(
    "SELECT count(*) AS problems FROM dim_learner_last_response WHERE {where}",
    {"where": MODEL},
)

# each event model counted per period first, then the three merged (half the work of a union of rows)
ACTIVITY = Query(
    "WITH ev AS ("
    "SELECT date_trunc($grain, emission_time) AS period, count(*) AS pages, 0 AS videos, 0 AS problems "
    "FROM navigation_events WHERE {pages} GROUP BY 1 "
    "UNION ALL SELECT date_trunc($grain, emission_time), 0, count(*), 0 "
    "FROM video_playback_events WHERE {videos} GROUP BY 1 "
    "UNION ALL SELECT date_trunc($grain, emission_time), 0, 0, count(*) "
    f"FROM problem_events WHERE {{problems}} AND verb_id = '{EVALUATED}' GROUP BY 1) "
    "SELECT period::TIMESTAMPTZ AS period, sum(pages)::BIGINT AS page_views, "
    "sum(videos)::BIGINT AS video_events, sum(problems)::BIGINT AS problem_submissions "
    "FROM ev GROUP BY 1 ORDER BY 1",
    {"pages": EVENTS, "videos": EVENTS, "problems": EVENTS},
)

_VIDEO_REPORT = (
    "b AS (SELECT block_id, display_name_with_location, course_order FROM dim_course_blocks WHERE {blocks}) "
    f"SELECT {per_course('coalesce(any_value(b.display_name_with_location), w.object_id)', 'w.course_key')} "
    "AS video, count(*) AS learners, "
    "round(100 * avg(least(w.seconds / nullif(w.duration, 0), 1)), 1) AS watched_pct, "
    "count(*) FILTER (WHERE w.seconds >= 0.95 * w.duration) AS full_views, "
    "count(*) FILTER (WHERE w.seconds < 0.95 * w.duration OR w.duration IS NULL) AS partial_views, "
    "coalesce(sum(w.rewatched), 0)::BIGINT AS seconds_rewatched "
    "FROM w LEFT JOIN b ON b.block_id = split_part(w.object_id, '/xblock/', 2) "
    "GROUP BY w.course_key, w.object_id ORDER BY w.course_key, min(b.course_order), w.object_id"
)

# per learner and video: distinct seconds watched, and seconds watched more than once
VIDEOS = Query(
    "WITH w AS (SELECT course_key, object_id, actor_id, any_value(video_duration) AS duration, "
    "sum(range_end - range_start + 1) AS seconds, "
    "sum(range_end - range_start + 1) FILTER (WHERE watch_count > 1) AS rewatched "
    "FROM fact_video_segment_ranges WHERE {where} GROUP BY ALL), " + _VIDEO_REPORT,
    {"where": MODEL, "blocks": BLOCKS},
    fallback=Query(
        "WITH w AS (SELECT course_key, object_id, actor_id, any_value(video_duration) AS duration, "
        "count(*) AS seconds, count(*) FILTER (WHERE watch_count > 1) AS rewatched "
        "FROM fact_video_segments WHERE {where} GROUP BY ALL), " + _VIDEO_REPORT,
        {"where": MODEL, "blocks": BLOCKS},
    ),
)

PROBLEMS = Query(
    f"SELECT {per_course('any_value(display_name_with_location)', 'course_key')} AS problem, "
    "any_value(graded) AS graded, count(*) AS learners, "
    "round(avg(correct_attempts_by_learner + incorrect_attempts_by_learner), 2) AS attempts, "
    "round(100 * avg(selected_learner_percent_correct), 1) AS correct_pct, "
    "round(100 * any_value(coursewide_percent_correct), 1) AS coursewide_correct_pct, "
    "round(any_value(avg_correct_attempts_coursewide + avg_incorrect_attempts_coursewide), 2) "
    "AS coursewide_attempts "
    "FROM dim_problem_coursewide_avg WHERE {where} GROUP BY course_key, problem_id "
    "ORDER BY course_key, any_value(display_name_with_location)",
    {"where": MODEL},
)


def _per_subsection(model: str, done: str, total: str) -> Query:
    """Items done per subsection (average over the learners shown) against the items it holds."""
    return Query(
        f"SELECT {per_course('any_value(section_subsection_name)', 'course_key')} AS subsection, "
        f"round(avg({done}), 1) AS done, max({total}) AS total "
        f"FROM {model} WHERE {{where}} AND content_level = 'subsection' "
        "GROUP BY course_key, block_id ORDER BY course_key, any_value(section_subsection_name)",
        {"where": MODEL},
    )


PAGES_PER_SUBSECTION = _per_subsection("fact_pageview_engagement", "pages_visited", "page_count")
VIDEOS_PER_SUBSECTION = _per_subsection("fact_video_engagement", "videos_viewed", "num_videos")
PROBLEMS_PER_SUBSECTION = _per_subsection("fact_problem_engagement", "problems_attempted", "num_problems")
