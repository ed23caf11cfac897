"""Queries of the in-context fragments: one problem, one video, one graded subsection.

Every slot declares the column holding the block's usage key, so an embed token scoped to a block
(and the `block` URL filter) narrows every row to that block; a slot without one would return
nothing for such a token. Without a block the fragments summarize every block of the kind in scope.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.framework import Query

EVALUATED = "https://w3id.org/xapi/acrossx/verbs/evaluated"
PLAYED = "https://w3id.org/xapi/video/verbs/played"
PERIOD = "date_trunc($grain, emission_time)::TIMESTAMPTZ"
VIDEO_BLOCK = "split_part(object_id, '/xblock/', 2)"
# the models pad location numbers with 0x08 bytes so text sorts in course order: not for display
_CLEAN = "replace({}, chr(8), '')"
# scores are summed as DECIMAL: exact, so a learner on a bucket boundary always lands in the same one

PROBLEM_STATE = Columns(time=None, lms=None, block="problem_id")
PROBLEM_ANSWERS = Columns(actor=None, time=None, lms=None, block="problem_id")
PROBLEM_EVENTS = Columns(lms=None, block="problem_id")
VIDEO_SEGMENTS = Columns(time=None, lms=None, block=VIDEO_BLOCK)
VIDEO_EVENTS = Columns(lms=None, block=VIDEO_BLOCK)
BLOCK_NAMES = Columns(actor=None, time=None, lms=None, block="block_id")
SUBSECTION_RESULTS = Columns(time=None, lms=None, block="subsection_block_id")
SUBSECTION_BLOCKS = Columns(actor=None, time=None, lms=None, block="subsection_block_id")

# -- one problem -------------------------------------------------------------------------------

PROBLEM_RESULTS = Query(
    f"SELECT {_CLEAN.format('any_value(problem_name_location)')} AS problem, "
    "count(DISTINCT actor_id) AS learners, round(avg(attempts), 2) AS avg_attempts, "
    "round(100.0 * count(*) FILTER (WHERE success AND attempts <= 1) / count(*), 1) AS correct_first_pct, "
    "round(100.0 * count(*) FILTER (WHERE success) / count(*), 1) AS correct_pct "
    "FROM dim_problem_results WHERE {where} GROUP BY problem_id "
    "ORDER BY learners DESC, problem, problem_id LIMIT 100",
    {"where": PROBLEM_STATE},
)

ATTEMPTS_DISTRIBUTION = Query(
    "SELECT CAST(attempts AS VARCHAR) AS attempts, count(*) FILTER (WHERE success) AS correct, "
    "count(*) FILTER (WHERE NOT success) AS incorrect FROM dim_problem_results "
    "WHERE {where} GROUP BY dim_problem_results.attempts ORDER BY dim_problem_results.attempts",
    {"where": PROBLEM_STATE},
)

ANSWER_DISTRIBUTION = Query(
    f"SELECT {_CLEAN.format('problem_name_location')} AS problem, problem_part, response, "
    "success AS correct, CAST(sum(response_count) AS BIGINT) AS learners FROM dim_problem_responses "
    "WHERE {where} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, learners DESC, 3 LIMIT 200",
    {"where": PROBLEM_ANSWERS},
)

PROBLEM_RESULTS_OVER_TIME = Query(
    f"SELECT {PERIOD} AS period, count(*) FILTER (WHERE success) AS correct, "
    "count(*) FILTER (WHERE NOT success) AS incorrect FROM problem_events "
    f"WHERE {{where}} AND verb_id = '{EVALUATED}' GROUP BY 1 ORDER BY 1",
    {"where": PROBLEM_EVENTS},
)

# -- one video ---------------------------------------------------------------------------------

# learners who watched each part of the video (at most 60 bars: parts of ceil(duration / 60) s)
VIDEO_TIMELINE = Query(
    "WITH s AS (SELECT actor_id, watched_segment, watch_count, video_duration FROM fact_video_segments "
    "WHERE {where}), "
    "size AS (SELECT greatest(1, CAST(ceil(max(video_duration) / 60.0) AS BIGINT)) AS n FROM s), "
    "parts AS (SELECT (s.watched_segment - 1) // size.n * size.n AS start_s, "
    "count(DISTINCT s.actor_id) AS viewers, "
    "count(DISTINCT s.actor_id) FILTER (WHERE s.watch_count > 1) AS rewatchers "
    "FROM s, size GROUP BY 1) "
    "SELECT printf('%d:%02d:%02d', start_s // 3600, start_s % 3600 // 60, start_s % 60) AS position, "
    "viewers, rewatchers FROM parts ORDER BY start_s",
    {"where": VIDEO_SEGMENTS},
)

# a view is full when the learner watched at least 95% of the video's seconds (Aspects' rule)
PARTIAL_FULL_VIEWS = Query(
    f"WITH v AS (SELECT {VIDEO_BLOCK} AS block_id, actor_id, count(*) AS seconds, "
    "max(video_duration) AS duration FROM fact_video_segments WHERE {where} GROUP BY 1, 2), "
    "names AS (SELECT block_id, any_value(display_name_with_location) AS video FROM dim_course_blocks "
    "WHERE {names} AND block_type = 'video' GROUP BY 1) "
    "SELECT coalesce(any_value(names.video), v.block_id) AS video, "
    "count(*) FILTER (WHERE v.duration IS NULL OR v.seconds < 0.95 * v.duration) AS partial_views, "
    "count(*) FILTER (WHERE v.seconds >= 0.95 * v.duration) AS full_views "
    "FROM v LEFT JOIN names USING (block_id) GROUP BY v.block_id "
    "ORDER BY partial_views + full_views DESC, video, v.block_id LIMIT 20",
    {"where": VIDEO_SEGMENTS, "names": BLOCK_NAMES},
)

VIDEO_VIEWS_OVER_TIME = Query(
    f"SELECT {PERIOD} AS period, count(*) AS plays, count(DISTINCT actor_id) AS viewers "
    f"FROM video_playback_events WHERE {{where}} AND verb_id = '{PLAYED}' GROUP BY 1 ORDER BY 1",
    {"where": VIDEO_EVENTS},
)

# -- one graded subsection ---------------------------------------------------------------------

# each learner's score on the subsection: the sum of their last scores over the subsection's
# problems (unanswered problems count 0), in 10-point buckets
SCORE_DISTRIBUTION = Query(
    "WITH problems AS (SELECT subsection_block_id, count(*) AS n FROM dim_course_blocks "
    "WHERE {blocks} AND block_type = 'problem' AND graded GROUP BY 1), "
    "scores AS (SELECT r.subsection_block_id, r.actor_id, "
    "sum(CAST(r.scaled_score AS DECIMAL(18, 6))) / greatest(any_value(p.n), count(*)) AS score "
    "FROM (SELECT * FROM dim_subsection_problem_results WHERE {where}) r "
    "LEFT JOIN problems p USING (subsection_block_id) GROUP BY 1, 2), "
    "buckets AS (SELECT least(9, CAST(floor(coalesce(score, 0) * 10) AS INTEGER)) AS bucket FROM scores), "
    "counts AS (SELECT bucket, count(*) AS learners FROM buckets GROUP BY 1) "
    "SELECT CASE WHEN b.bucket = 9 THEN '90-100%' "
    "ELSE concat(b.bucket * 10, '-', b.bucket * 10 + 9, '%') END AS score_range, "
    "coalesce(c.learners, 0) AS learners "
    "FROM (SELECT CAST(range AS INTEGER) AS bucket FROM range(10)) b LEFT JOIN counts c USING (bucket) "
    "WHERE EXISTS (SELECT 1 FROM counts) ORDER BY b.bucket",
    {"where": SUBSECTION_RESULTS, "blocks": SUBSECTION_BLOCKS},
)

SUBSECTION_PROBLEM_RESULTS = Query(
    f"SELECT {_CLEAN.format('any_value(problem_name_location)')} AS problem, "
    "count(DISTINCT actor_id) FILTER (WHERE success) AS correct, "
    "count(DISTINCT actor_id) FILTER (WHERE NOT success) AS incorrect "
    "FROM dim_subsection_problem_results WHERE {where} "
    "GROUP BY problem_id ORDER BY any_value(problem_name_location), problem, problem_id LIMIT 50",
    {"where": SUBSECTION_RESULTS},
)

# every graded problem of the subsection, answered or not
SUBSECTION_PROBLEMS = Query(
    "WITH blocks AS (SELECT block_id, display_name_with_location, course_order "
    "FROM dim_course_blocks WHERE {blocks} AND block_type = 'problem' AND graded), "
    "results AS (SELECT problem_id AS block_id, count(DISTINCT actor_id) AS learners, "
    "round(100.0 * count(*) FILTER (WHERE success) / count(*), 1) AS correct_pct, "
    "round(100 * avg(CAST(scaled_score AS DECIMAL(18, 6))), 1) AS avg_score_pct "
    "FROM dim_subsection_problem_results WHERE {where} GROUP BY 1) "
    "SELECT b.display_name_with_location AS problem, coalesce(r.learners, 0) AS learners, "
    "r.correct_pct, r.avg_score_pct FROM blocks b LEFT JOIN results r USING (block_id) "
    "ORDER BY b.course_order, problem LIMIT 200",
    {"where": SUBSECTION_RESULTS, "blocks": SUBSECTION_BLOCKS},
)
