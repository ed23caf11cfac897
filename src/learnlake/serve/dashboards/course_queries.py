"""The Course dashboard's queries: on the SQL models where one exists, else on the events.

Each chart first reads the incremental models `learnlake run` builds (enrollment_events,
navigation_events, video_playback_events, problem_events: only their statements, fields already
extracted), which is several times cheaper than scanning xapi_events_all_parsed. Every model
query keeps the raw query as its `fallback` (same output columns): used on a site without the
models, and for a filter the model cannot answer (the site filter: models have no lms column).
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.at_risk_queries import per_course
from learnlake.serve.dashboards.framework import Query

# the time-series bucket of an event: truncating a plain TIMESTAMP skips the time-zone calendar
# (the session is UTC), which makes the over-time charts about a third faster on the events
PERIOD = "date_trunc($grain, make_timestamp(epoch_us(emission_time)))::TIMESTAMPTZ"
# the usage key of an xblock object id (https://lms/xblock/block-v1:…)
BLOCK_OF_OBJECT = "split_part(object_id, '/xblock/', 2)"
EVENTS = Columns(block=BLOCK_OF_OBJECT)
BLOCKS = Columns(actor=None, time=None, block="location")

REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
UNREGISTERED = (
    "http://id.tincanapi.com/verb/unregistered",
    "https://w3id.org/xapi/openedx/verb/unregistered",
)
ENROLLMENT_VERBS = f"('{REGISTERED}', '{UNREGISTERED[0]}', '{UNREGISTERED[1]}')"
NAVIGATED = "https://w3id.org/xapi/dod-isd/verbs/navigated"
PLAYED = "https://w3id.org/xapi/video/verbs/played"
EVALUATED = "https://w3id.org/xapi/acrossx/verbs/evaluated"
MODE = "json_extract_string(event, '$.object.definition.extensions.\"https://w3id.org/xapi/acrossx/extensions/type\"')"

# latest enrollment event per learner and course: (org, course_key, actor_id, last_verb, mode)
_LATEST_ENROLLMENT = (
    "SELECT org, course_key, actor_id, arg_max(verb_id, emission_time) AS last_verb, "
    f"arg_max({MODE}, emission_time) AS enrollment_mode FROM xapi_events_all_parsed "
    f"WHERE {{where}} AND verb_id IN {ENROLLMENT_VERBS} GROUP BY 1, 2, 3"
)

CURRENT_ENROLLEES = Query(
    f"SELECT count(DISTINCT actor_id) AS learners FROM ({_LATEST_ENROLLMENT}) "
    f"WHERE last_verb = '{REGISTERED}'",
    {"where": EVENTS},
)

ENROLLEES_PER_TRACK = Query(
    f"SELECT coalesce(enrollment_mode, 'unknown') AS enrollment_mode, count(*) AS learners "
    f"FROM ({_LATEST_ENROLLMENT}) WHERE last_verb = '{REGISTERED}' GROUP BY 1 ORDER BY 2 DESC, 1",
    {"where": EVENTS},
)

CUMULATIVE_ENROLLMENTS = Query(
    f"SELECT {PERIOD} AS period, coalesce({MODE}, 'unknown') AS enrollment_mode, "
    "count(*) AS enrollments FROM xapi_events_all_parsed "
    f"WHERE {{where}} AND verb_id = '{REGISTERED}' GROUP BY 1, 2 ORDER BY 1, 2",
    {"where": EVENTS},
)

ENROLLMENT_EVENTS_BY_VERB = Query(
    "SELECT regexp_extract(verb_id, '[^/]+$') AS verb, count(*) AS events FROM xapi_events_all_parsed "
    f"WHERE {{where}} AND verb_id IN {ENROLLMENT_VERBS} GROUP BY 1 ORDER BY 2 DESC, 1",
    {"where": EVENTS},
)

COURSE_INFORMATION = Query(
    "SELECT e.org, e.course_key, coalesce(any_value(o.display_name), e.course_key) AS course_name, "
    "split_part(e.course_key, '+', 3) AS course_run, count(DISTINCT e.actor_id) AS learners, "
    "count(DISTINCT e.actor_id) FILTER (WHERE e.emission_time >= $now - INTERVAL 7 DAY) AS active_7d, "
    "count(*) AS events, max(e.emission_time) AS last_event "
    "FROM (SELECT * FROM xapi_events_all_parsed WHERE {where}) e "
    "LEFT JOIN (SELECT course_key, display_name FROM course_overviews WHERE {blocks}) o "
    "ON o.course_key = e.course_key WHERE e.course_key <> '' GROUP BY 1, 2 ORDER BY 1, 2",
    {"where": EVENTS, "blocks": Columns(actor=None, time=None)},
)

# page views and learners per section, from a `nav` CTE of (course_key, actor_id, block_id) page visits
_SECTION_PAGES = (
    'blocks AS (SELECT course_key, location, section, block_type, display_name, "order" '
    "FROM course_blocks WHERE {blocks}), "
    'sections AS (SELECT course_key, section, min("order") AS ord, '
    "any_value(display_name) FILTER (WHERE block_type = 'chapter') AS section_name "
    "FROM blocks GROUP BY 1, 2) "
    "SELECT concat(s.section, ': ', coalesce(s.section_name, '?')) AS section_name, "
    "count(*) AS page_views, count(DISTINCT nav.actor_id) AS learners "
    "FROM nav JOIN blocks b ON b.location = nav.block_id "
    "JOIN sections s ON s.course_key = b.course_key AND s.section = b.section "
    "GROUP BY s.course_key, s.section, s.section_name, s.ord ORDER BY s.course_key, s.ord"
)

PAGES_PER_SECTION = Query(
    "WITH nav AS (SELECT course_key, actor_id, split_part(object_id, '/xblock/', 2) AS block_id "
    f"FROM xapi_events_all_parsed WHERE {{where}} AND verb_id = '{NAVIGATED}' "
    "AND object_id LIKE '%/xblock/%'), " + _SECTION_PAGES,
    {"where": EVENTS, "blocks": BLOCKS},
)

VIDEO_PLAYS = Query(
    "WITH plays AS (SELECT split_part(object_id, '/xblock/', 2) AS block_id, actor_id "
    f"FROM xapi_events_all_parsed WHERE {{where}} AND verb_id = '{PLAYED}'), "
    "blocks AS (SELECT location, display_name_with_location FROM course_blocks WHERE {blocks}) "
    "SELECT coalesce(any_value(b.display_name_with_location), plays.block_id) AS video, "
    "count(*) AS plays, count(DISTINCT plays.actor_id) AS viewers "
    "FROM plays LEFT JOIN blocks b ON b.location = plays.block_id "
    "GROUP BY plays.block_id ORDER BY plays DESC, video, plays.block_id LIMIT 20",
    {"where": EVENTS, "blocks": BLOCKS},
)

VIDEO_PLAYS_OVER_TIME = Query(
    f"SELECT {PERIOD} AS period, count(*) AS plays, "
    "count(DISTINCT actor_id) AS viewers FROM xapi_events_all_parsed "
    f"WHERE {{where}} AND verb_id = '{PLAYED}' GROUP BY 1 ORDER BY 1",
    {"where": EVENTS},
)

PROBLEM_ATTEMPTS = Query(
    "WITH ev AS (SELECT "
    "regexp_replace(split_part(object_id, '/xblock/', 2), '_[0-9]+_[0-9]+$', '') AS block_id, "
    "actor_id, json_extract(event, '$.result.success')::BOOLEAN AS success "
    f"FROM xapi_events_all_parsed WHERE {{where}} AND verb_id = '{EVALUATED}'), "
    "blocks AS (SELECT location, display_name_with_location, graded FROM course_blocks WHERE {blocks}) "
    "SELECT coalesce(any_value(b.display_name_with_location), ev.block_id) AS problem, "
    "coalesce(any_value(b.graded), false) AS graded, count(DISTINCT ev.actor_id) AS learners, "
    "count(*) AS attempts, count(*) FILTER (WHERE ev.success) AS correct_attempts, "
    "round(100.0 * count(*) FILTER (WHERE ev.success) / count(*), 1) AS correct_pct "
    "FROM ev LEFT JOIN blocks b ON b.location = ev.block_id "
    "GROUP BY ev.block_id ORDER BY attempts DESC, problem, ev.block_id LIMIT 100",
    {"where": EVENTS, "blocks": BLOCKS},
)

PROBLEM_RESULTS_OVER_TIME = Query(
    f"SELECT {PERIOD} AS period, "
    "CASE WHEN json_extract(event, '$.result.success')::BOOLEAN THEN 'correct' ELSE 'incorrect' END "
    "AS result, "
    "count(*) AS attempts FROM xapi_events_all_parsed "
    f"WHERE {{where}} AND verb_id = '{EVALUATED}' GROUP BY 1, 2 ORDER BY 1, 2",
    {"where": EVENTS},
)


# -- the same charts on the Aspects models, when they are built (faster: no JSON parsing) ------
# Model tables have no lms partition column, so the site filter does not apply to them.
ENROLLMENT_MODEL = Columns(lms=None)
PROBLEM_MODEL = Columns(lms=None, block="problem_id")
_LATEST_ENROLLMENT_MODEL = (
    "SELECT org, course_key, actor_id, arg_max(enrollment_status, emission_time) AS status, "
    "arg_max(enrollment_mode, emission_time) AS enrollment_mode FROM enrollment_events "
    "WHERE {where} GROUP BY 1, 2, 3"
)

CURRENT_ENROLLEES = Query(
    f"SELECT count(DISTINCT actor_id) AS learners FROM ({_LATEST_ENROLLMENT_MODEL}) "
    "WHERE status = 'registered'",
    {"where": ENROLLMENT_MODEL},
    fallback=CURRENT_ENROLLEES,
)

ENROLLEES_PER_TRACK = Query(
    "SELECT coalesce(enrollment_mode, 'unknown') AS enrollment_mode, count(*) AS learners "
    f"FROM ({_LATEST_ENROLLMENT_MODEL}) WHERE status = 'registered' GROUP BY 1 ORDER BY 2 DESC, 1",
    {"where": ENROLLMENT_MODEL},
    fallback=ENROLLEES_PER_TRACK,
)

CUMULATIVE_ENROLLMENTS = Query(
    "SELECT date_trunc($grain, emission_time)::TIMESTAMPTZ AS period, "
    "coalesce(enrollment_mode, 'unknown') AS enrollment_mode, count(*) AS enrollments "
    "FROM enrollment_events WHERE {where} AND enrollment_status = 'registered' GROUP BY 1, 2 ORDER BY 1, 2",
    {"where": ENROLLMENT_MODEL},
    fallback=CUMULATIVE_ENROLLMENTS,
)

PROBLEM_ATTEMPTS = Query(
    "WITH ev AS (SELECT problem_id AS block_id, actor_id, success FROM problem_events "
    f"WHERE {{where}} AND verb_id = '{EVALUATED}'), "
    "blocks AS (SELECT location, display_name_with_location, graded FROM course_blocks WHERE {blocks}) "
    "SELECT coalesce(any_value(b.display_name_with_location), ev.block_id) AS problem, "
    "coalesce(any_value(b.graded), false) AS graded, count(DISTINCT ev.actor_id) AS learners, "
    "count(*) AS attempts, count(*) FILTER (WHERE ev.success) AS correct_attempts, "
    "round(100.0 * count(*) FILTER (WHERE ev.success) / count(*), 1) AS correct_pct "
    "FROM ev LEFT JOIN blocks b ON b.location = ev.block_id "
    "GROUP BY ev.block_id ORDER BY attempts DESC, problem, ev.block_id LIMIT 100",
    {"where": PROBLEM_MODEL, "blocks": BLOCKS},
    fallback=PROBLEM_ATTEMPTS,
)

PROBLEM_RESULTS_OVER_TIME = Query(
    "SELECT date_trunc($grain, emission_time)::TIMESTAMPTZ AS period, "
    "CASE WHEN success THEN 'correct' ELSE 'incorrect' END AS result, count(*) AS attempts "
    f"FROM problem_events WHERE {{where}} AND verb_id = '{EVALUATED}' GROUP BY 1, 2 ORDER BY 1, 2",
    {"where": PROBLEM_MODEL},
    fallback=PROBLEM_RESULTS_OVER_TIME,
)

# Enrollment, navigation and video statements have their own incremental models: a fraction of
# the events, with the block id and the enrollment status already extracted.
VIDEO_MODEL = Columns(lms=None, block=BLOCK_OF_OBJECT)
NAVIGATION_MODEL = Columns(lms=None, block="block_id")

ENROLLMENT_EVENTS_BY_VERB = Query(
    "SELECT enrollment_status AS verb, count(*) AS events FROM enrollment_events WHERE {where} "
    "GROUP BY 1 ORDER BY 2 DESC, 1",
    {"where": ENROLLMENT_MODEL},
    fallback=ENROLLMENT_EVENTS_BY_VERB,
)

# unit pages only (objects under /xblock/, the `resource` type), not the outline's jump_to links
PAGE_OBJECT = "http://id.tincanapi.com/activitytype/resource"
PAGES_PER_SECTION = Query(
    "WITH nav AS (SELECT course_key, actor_id, block_id FROM navigation_events "
    f"WHERE {{where}} AND object_type = '{PAGE_OBJECT}'), " + _SECTION_PAGES,
    {"where": NAVIGATION_MODEL, "blocks": BLOCKS},
    fallback=PAGES_PER_SECTION,
)

VIDEO_PLAYS = Query(
    "WITH plays AS (SELECT split_part(object_id, '/xblock/', 2) AS block_id, actor_id "
    f"FROM video_playback_events WHERE {{where}} AND verb_id = '{PLAYED}'), "
    "blocks AS (SELECT location, display_name_with_location FROM course_blocks WHERE {blocks}) "
    "SELECT coalesce(any_value(b.display_name_with_location), plays.block_id) AS video, "
    "count(*) AS plays, count(DISTINCT plays.actor_id) AS viewers "
    "FROM plays LEFT JOIN blocks b ON b.location = plays.block_id "
    "GROUP BY plays.block_id ORDER BY plays DESC, video, plays.block_id LIMIT 20",
    {"where": VIDEO_MODEL, "blocks": BLOCKS},
    fallback=VIDEO_PLAYS,
)

VIDEO_PLAYS_OVER_TIME = Query(
    "SELECT date_trunc($grain, emission_time)::TIMESTAMPTZ AS period, count(*) AS plays, "
    "count(DISTINCT actor_id) AS viewers FROM video_playback_events "
    f"WHERE {{where}} AND verb_id = '{PLAYED}' GROUP BY 1 ORDER BY 1",
    {"where": VIDEO_MODEL},
    fallback=VIDEO_PLAYS_OVER_TIME,
)

# no model keeps distinct learners per course: aggregate the events first, then name the courses
COURSE_INFORMATION = Query(
    "WITH e AS (SELECT org, course_key, count(DISTINCT actor_id) AS learners, "
    "count(DISTINCT actor_id) FILTER (WHERE emission_time >= $now - INTERVAL 7 DAY) AS active_7d, "
    "count(*) AS events, max(emission_time) AS last_event "
    "FROM xapi_events_all_parsed WHERE {where} AND course_key <> '' GROUP BY 1, 2), "
    "o AS (SELECT course_key, any_value(display_name) AS display_name FROM course_overviews "
    "WHERE {blocks} GROUP BY 1) "
    "SELECT e.org, e.course_key, coalesce(o.display_name, e.course_key) AS course_name, "
    "split_part(e.course_key, '+', 3) AS course_run, e.learners, e.active_7d, e.events, e.last_event "
    "FROM e LEFT JOIN o ON o.course_key = e.course_key ORDER BY 1, 2",
    {"where": EVENTS, "blocks": Columns(actor=None, time=None)},
)


# -- performance and finer engagement, on the same models the other dashboards read ------------
# Grades and passing per course run, the video timeline and partial-vs-full views are the very
# queries of the Course comparison and in-context video views: `course` uses those, not copies.
# current state per learner (no event time, no lms partition)
STATE_MODEL = Columns(lms=None, time=None)

# enrolled learners per 10-point grade bucket (`no grade` first): Aspects' grade distribution
GRADE_DISTRIBUTION = Query(
    "SELECT grade_bucket, count(*) AS learners, "
    "count(*) FILTER (WHERE approving_state = 'passed') AS passing FROM dim_student_status "
    "WHERE {where} AND enrollment_status = 'registered' GROUP BY 1 "
    "ORDER BY CASE WHEN grade_bucket = 'no grade' THEN -1 "
    "ELSE CAST(split_part(grade_bucket, '-', 1) AS INTEGER) END",
    {"where": STATE_MODEL},
)

# learners per subsection who viewed all its pages / at least one (Aspects' page engagement)
PAGES_PER_SUBSECTION = Query(
    f"SELECT {per_course('any_value(section_subsection_name)', 'course_key')} AS subsection, "
    "count(DISTINCT actor_id) FILTER (WHERE section_subsection_page_engagement = 'All pages viewed') "
    "AS engaged_all, "
    "count(DISTINCT actor_id) FILTER (WHERE section_subsection_page_engagement = 'At least one page viewed') "
    "AS engaged_one, round(avg(pages_visited), 1) AS avg_pages_visited, max(page_count) AS page_count "
    "FROM fact_pageview_engagement WHERE {where} AND content_level = 'subsection' "
    "GROUP BY course_key, block_id ORDER BY course_key, any_value(section_subsection_name)",
    {"where": STATE_MODEL},
)
