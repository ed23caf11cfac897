"""The Course comparison dashboard's queries: one row per course run (or course), read from the models.

Every slot that names courses declares `tags=True`, so the tag filter narrows all of them to the
courses carrying that tag. Model tables have no lms column (the site filter does not apply), and the
current-state models (enrollment, grades, progress) have no event time: the date range narrows only
the activity and over-time charts.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.framework import Query

# the org of a course key (course-v1:ORG+COURSE+RUN), for models that carry only the key
ORG_OF_KEY = "split_part(split_part(course_key, ':', 2), '+', 1)"
RUN_OF_KEY = "split_part(course_key, '+', 3)"
# a course across its runs: org and course number
COURSE_OF_KEY = "split_part(split_part(course_key, ':', 2), '+', 2)"
PERIOD = "date_trunc($grain, emission_time)::TIMESTAMPTZ"
# averages of DOUBLE columns go through DECIMAL: an exact sum, so the same rows always round the
# same way (a float sum depends on the order parallel threads add in)

STATE = Columns(time=None, lms=None, tags=True)  # current state per learner (no event time)
COURSES = Columns(actor=None, time=None, lms=None, tags=True)  # one row per course
ACTIVITY = Columns(lms=None, tags=True)  # events of the models (time filtered)
PROGRESS = Columns(org=ORG_OF_KEY, actor=None, time=None, lms=None, tags=True)
BLOCKS = Columns(actor=None, time=None, lms=None, tags=True)
TAGS = Columns(org=ORG_OF_KEY, actor=None, time=None, lms=None, tags=True)
VIDEO = Columns(time=None, lms=None, tags=True)

# the courses in scope: from the course names and from enrollments (a course not yet dumped)
_COURSE_KEYS = (
    "keys AS (SELECT course_key FROM dim_course_names WHERE {names} "
    "UNION SELECT course_key FROM dim_most_recent_enrollment WHERE {state}), "
    "names AS (SELECT course_key, any_value(course_name) AS course_name FROM dim_course_names "
    "WHERE {names} GROUP BY 1)"
)
_NAME = "coalesce(n.course_name, k.course_key)"
# a course run as a chart label: "Course name (run)"
_NAMES = "(SELECT course_key, any_value(course_name) AS course_name FROM dim_course_names GROUP BY 1)"
RUN_LABEL = "concat(coalesce(n.course_name, x.course_key), ' (', split_part(x.course_key, '+', 3), ')')"

COURSE_INFO = Query(
    f"WITH {_COURSE_KEYS}, "
    "enr AS (SELECT course_key, count(DISTINCT actor_id) AS enrollees FROM dim_most_recent_enrollment "
    "WHERE {state} AND enrollment_status = 'registered' GROUP BY 1), "
    "act AS (SELECT course_key, count(DISTINCT actor_id) AS active_learners FROM navigation_events "
    "WHERE {activity} GROUP BY 1), "
    "recent AS (SELECT course_key, count(*) AS active_7d FROM active_learners WHERE {recent} GROUP BY 1), "
    "tags AS (SELECT course_key, string_agg(DISTINCT tag, ', ' ORDER BY tag) AS tags "
    "FROM dim_most_recent_course_tags WHERE {tags} GROUP BY 1) "
    f"SELECT {ORG_OF_KEY.replace('course_key', 'k.course_key')} AS org, k.course_key, "
    f"{_NAME} AS course_name, {RUN_OF_KEY.replace('course_key', 'k.course_key')} AS course_run, "
    "coalesce(t.tags, '') AS tags, "
    "coalesce(e.enrollees, 0) AS enrollees, coalesce(a.active_learners, 0) AS active_learners, "
    "coalesce(r.active_7d, 0) AS active_7d, "
    # Aspects' "More details": the Course dashboard of this run (a link in the table)
    "concat('/dashboards/course?course=', replace(replace(k.course_key, '%', '%25'), '+', '%2B')) "
    "AS course_dashboard "
    "FROM keys k LEFT JOIN names n USING (course_key) LEFT JOIN enr e USING (course_key) "
    "LEFT JOIN act a USING (course_key) LEFT JOIN recent r USING (course_key) "
    "LEFT JOIN tags t USING (course_key) ORDER BY 1, 3, 2",
    {
        "names": COURSES,
        "state": STATE,
        "activity": ACTIVITY,
        "recent": Columns(time=None, lms=None, tags=True),
        "tags": TAGS,
    },
)

# one row per course (org + course number) over all its runs in scope
COURSE_METRICS = Query(
    "WITH s AS (SELECT * FROM dim_student_status WHERE {state} AND enrollment_status = 'registered') "
    f"SELECT org, {COURSE_OF_KEY} AS course, any_value(course_name) AS course_name, "
    "count(DISTINCT course_key) AS runs, count(*) AS enrollees, "
    "count(*) FILTER (WHERE approving_state = 'passed') AS passing, "
    "round(100.0 * count(*) FILTER (WHERE approving_state = 'passed') / count(*), 1) AS passing_pct, "
    "round(100 * avg(CAST(course_grade AS DECIMAL(18, 6))), 1) AS avg_grade_pct "
    "FROM s GROUP BY 1, 2 ORDER BY 1, 2",
    {"state": STATE},
)

ENROLLMENTS_BY_MODE = Query(
    f"WITH {_COURSE_KEYS} "
    f"SELECT {_NAME} || ' (' || {RUN_OF_KEY.replace('course_key', 'k.course_key')} || ')' AS course, "
    "coalesce(e.enrollment_mode, 'unknown') AS enrollment_mode, count(DISTINCT e.actor_id) AS learners "
    "FROM dim_most_recent_enrollment e JOIN keys k USING (course_key) LEFT JOIN names n USING (course_key) "
    "WHERE e.enrollment_status = 'registered' GROUP BY 1, 2 ORDER BY 1, 2",
    {"names": COURSES, "state": STATE},
)

ENROLLMENTS_OVER_TIME = Query(
    f"SELECT x.period, {RUN_LABEL} AS course, x.enrollments FROM ("
    f"SELECT {PERIOD} AS period, course_key, count(*) AS enrollments FROM enrollment_events "
    "WHERE {where} AND enrollment_status = 'registered' GROUP BY 1, 2) x "
    f"LEFT JOIN {_NAMES} n USING (course_key) ORDER BY 1, x.course_key",
    {"where": ACTIVITY},
)

ACTIVE_LEARNERS_OVER_TIME = Query(
    f"SELECT x.period, {RUN_LABEL} AS course, x.learners FROM ("
    f"SELECT {PERIOD} AS period, course_key, count(DISTINCT actor_id) AS learners FROM navigation_events "
    "WHERE {where} GROUP BY 1, 2) x "
    f"LEFT JOIN {_NAMES} n USING (course_key) ORDER BY 1, x.course_key",
    {"where": ACTIVITY},
)

_ACTIVITY_SOURCES = {
    "page_views": "navigation_events WHERE TRUE",
    "video_plays": "video_playback_events WHERE verb_id = 'https://w3id.org/xapi/video/verbs/played'",
    "problem_attempts": "problem_events WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'",
}
# one column per activity (translated labels), zero where a period has none of it
ENGAGEMENT_OVER_TIME = Query(
    "SELECT period, "
    + ", ".join(f"CAST(sum({name}) AS BIGINT) AS {name}" for name in _ACTIVITY_SOURCES)
    + " FROM ("
    + " UNION ALL ".join(
        f"SELECT {PERIOD} AS period, "
        + ", ".join(f"{'count(*)' if other == name else '0'} AS {other}" for other in _ACTIVITY_SOURCES)
        + f" FROM {source} AND {{{name}}} GROUP BY 1"
        for name, source in _ACTIVITY_SOURCES.items()
    )
    + ") GROUP BY 1 ORDER BY 1",
    {name: ACTIVITY for name in _ACTIVITY_SOURCES},
)

PROGRESS_SQL = (
    "SELECT course_key, count(*) AS learners_started, "
    "round(100 * avg(CAST(progress AS DECIMAL(18, 6))), 1) AS avg_progress_pct, "
    "count(*) FILTER (WHERE is_complete) AS completed, "
    "round(100.0 * count(*) FILTER (WHERE is_complete) / count(*), 1) AS completion_pct "
    "FROM {source} WHERE {{where}} GROUP BY 1 ORDER BY 1"
)
# learner_course_progress from the completion events alone (the model also reads the LMS's
# completion_blockcompletion table; without it the model is not built)
_PROGRESS_FROM_EVENTS = (
    "(WITH latest AS (SELECT coalesce(p_course_id, context_course_id) AS course_key, "
    'coalesce(p_user_id, user_id) AS user_id, p_block_id, arg_max(p_completion, "time") AS completion '
    "FROM insights_events WHERE event_type = 'edx.completion.block_completion.changed' "
    "AND p_block_id IS NOT NULL AND p_completion IS NOT NULL GROUP BY 1, 2, 3), "
    "completable AS (SELECT course_key, count(*) AS n FROM course_blocks "
    "WHERE block_type NOT IN ('course', 'chapter', 'sequential', 'vertical') GROUP BY 1) "
    "SELECT l.course_key, l.user_id, "
    "least(1.0, count(*) FILTER (WHERE l.completion >= 1.0) / any_value(c.n)) AS progress, "
    "coalesce(count(*) FILTER (WHERE l.completion >= 1.0) >= any_value(c.n), false) AS is_complete "
    "FROM latest l LEFT JOIN completable c USING (course_key) "
    "WHERE l.course_key IS NOT NULL AND l.user_id IS NOT NULL GROUP BY 1, 2)"
)
COMPLETION = Query(
    PROGRESS_SQL.format(source="learner_course_progress"),
    {"where": PROGRESS},
    fallback=Query(PROGRESS_SQL.format(source=_PROGRESS_FROM_EVENTS), {"where": PROGRESS}),
)

LEARNER_PERFORMANCE = Query(
    "WITH s AS (SELECT course_key, course_grade, approving_state FROM dim_student_status "
    "WHERE {state} AND enrollment_status = 'registered'), "
    "firsts AS (SELECT course_key, round(100.0 * count(*) FILTER (WHERE success AND attempts <= 1) "
    "/ count(*), 1) AS first_try_correct_pct FROM dim_learner_last_response WHERE {responses} GROUP BY 1) "
    "SELECT s.course_key, count(*) AS enrollees, count(s.course_grade) AS graded, "
    "round(100 * avg(CAST(s.course_grade AS DECIMAL(18, 6))), 1) AS avg_grade_pct, "
    "round(100 * median(s.course_grade), 1) AS median_grade_pct, "
    "count(*) FILTER (WHERE s.approving_state = 'passed') AS passing, "
    "round(100.0 * count(*) FILTER (WHERE s.approving_state = 'passed') / count(*), 1) AS passing_pct, "
    "any_value(f.first_try_correct_pct) AS first_try_correct_pct "
    "FROM s LEFT JOIN firsts f USING (course_key) GROUP BY 1 ORDER BY 1",
    {"state": STATE, "responses": STATE},
)

# Aspects' learner_performance_breakdown: passed, else active (visit within 7 days), else at risk
LEARNER_STATUS = Query(
    "WITH s AS (SELECT course_key, course_name, actor_id, approving_state FROM dim_student_status "
    "WHERE {state} AND enrollment_status = 'registered'), "
    "a AS (SELECT course_key, actor_id FROM active_learners WHERE {state}), "
    "r AS (SELECT course_key, actor_id FROM at_risk_learners WHERE {state}) "
    "SELECT s.course_key, concat(coalesce(any_value(s.course_name), s.course_key), ' (', "
    "split_part(s.course_key, '+', 3), ')') AS course, "
    "count(*) FILTER (WHERE s.approving_state = 'passed') AS passed, "
    "count(*) FILTER (WHERE s.approving_state <> 'passed' AND a.actor_id IS NOT NULL) AS active, "
    "count(*) FILTER (WHERE s.approving_state <> 'passed' AND a.actor_id IS NULL "
    "AND r.actor_id IS NOT NULL) AS at_risk, "
    "count(*) FILTER (WHERE s.approving_state <> 'passed' AND a.actor_id IS NULL AND r.actor_id IS NULL) "
    "AS other FROM s LEFT JOIN a USING (course_key, actor_id) LEFT JOIN r USING (course_key, actor_id) "
    "GROUP BY 1 ORDER BY 2, 1",
    {"state": STATE},
)

ENGAGEMENT = Query(
    "WITH pages AS (SELECT course_key, count(*) AS page_views, count(DISTINCT actor_id) AS page_viewers "
    "FROM navigation_events WHERE {pages} GROUP BY 1), "
    "videos AS (SELECT course_key, count(*) AS video_plays, count(DISTINCT actor_id) AS video_viewers "
    "FROM video_playback_events WHERE {videos} AND verb_id = 'https://w3id.org/xapi/video/verbs/played' "
    "GROUP BY 1), "
    "problems AS (SELECT course_key, count(*) AS problem_attempts, "
    "count(DISTINCT actor_id) AS problem_learners, "
    "round(100.0 * count(*) FILTER (WHERE success) / count(*), 1) AS correct_pct FROM problem_events "
    "WHERE {problems} AND verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' GROUP BY 1) "
    "SELECT course_key, coalesce(page_views, 0) AS page_views, coalesce(page_viewers, 0) AS page_viewers, "
    "coalesce(video_plays, 0) AS video_plays, coalesce(video_viewers, 0) AS video_viewers, "
    "coalesce(problem_attempts, 0) AS problem_attempts, "
    "coalesce(problem_learners, 0) AS problem_learners, correct_pct "
    "FROM pages FULL JOIN videos USING (course_key) FULL JOIN problems USING (course_key) ORDER BY 1",
    {"pages": ACTIVITY, "videos": ACTIVITY, "problems": ACTIVITY},
)

# Aspects' watched_video_duration: how much of the course's videos learners watched
VIDEO_ENGAGEMENT = Query(
    "WITH per_view AS (SELECT course_key, object_id, actor_id, count(*) AS seconds_watched, "
    "count(*) FILTER (WHERE watch_count > 1) AS seconds_rewatched, max(video_duration) AS duration "
    "FROM fact_video_segments WHERE {segments} GROUP BY 1, 2, 3), "
    "videos AS (SELECT course_key, count(*) AS videos FROM course_blocks "
    "WHERE {blocks} AND block_type = 'video' GROUP BY 1) "
    "SELECT course_key, any_value(v.videos) AS videos, count(DISTINCT object_id) AS videos_watched, "
    "round(avg(duration), 0) AS avg_video_length_s, count(DISTINCT actor_id) AS viewers, "
    "round(100.0 * sum(seconds_watched) / nullif(sum(duration), 0), 1) AS watched_pct, "
    "round(100.0 * sum(seconds_rewatched) / nullif(sum(seconds_watched), 0), 1) AS rewatched_pct "
    "FROM per_view LEFT JOIN videos v USING (course_key) GROUP BY 1 ORDER BY 1",
    {"segments": VIDEO, "blocks": BLOCKS},
)

# the tags the filter bar offers: those of the courses in scope and their parent tags
TAG_OPTIONS = Query(
    "WITH t AS (SELECT tag, lineage FROM dim_most_recent_course_tags WHERE {where}) "
    "SELECT DISTINCT tag FROM (SELECT tag FROM t UNION ALL "
    "SELECT unnest(json_extract_string(lineage, '$[*]')) FROM t WHERE json_valid(lineage)) "
    "WHERE tag <> '' ORDER BY 1",
    {"where": Columns(org=ORG_OF_KEY, actor=None, time=None, lms=None)},
)
