/* ---
description: >
  Insights' student engagement counters per learner, course and date bucket, for the three interval
  types: daily (the event date), weekly (the first date on or after the event date with the weekday of
  the interval's last day) and all (the interval's last day). Events count when they have a username, an
  event type, a valid course id in the context (no URL fallback) and an object payload (so browser
  problem_check and problem_graded do not count at all), inside the model_settings interval. Problem
  counters use server problem_check only; correctness is payload success = correct (any case). Votes
  (thread/response voted with vote_value up or down) count +1, or -1 when undo_vote is true, for the
  voter (given) and for payload target_username (received). Learners who only received votes get a row
  with their received counts and 0 days active. last_subsection_viewed is the latest implicit courseware
  path /courses/<course>/courseware/<chapter>/<section>/...
grain: one row per (interval_type, end_date, course_id, username)
materialization: table
columns:
  - {name: interval_type, type: VARCHAR, description: "daily, weekly or all"}
  - {name: end_date, type: DATE, description: "Last day of the bucket"}
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: username, type: VARCHAR, description: "Learner"}
  - {name: days_active, type: BIGINT, description: "Distinct days with a counted event"}
  - {name: problems_attempted, type: BIGINT, description: "Distinct problems submitted (server problem_check)"}
  - {name: problem_attempts, type: BIGINT, description: "Server problem_check events"}
  - {name: problems_correct, type: BIGINT, description: "Distinct problems with a correct submission"}
  - {name: videos_played, type: BIGINT, description: "Distinct videos played"}
  - {name: forum_posts, type: BIGINT, description: "edx.forum.thread.created events"}
  - {name: forum_responses, type: BIGINT, description: "edx.forum.response.created events"}
  - {name: forum_comments, type: BIGINT, description: "edx.forum.comment.created events"}
  - {name: forum_upvotes_given, type: BIGINT, description: "Up-votes given, undos subtracted"}
  - {name: forum_downvotes_given, type: BIGINT, description: "Down-votes given, undos subtracted"}
  - {name: forum_upvotes_received, type: BIGINT, description: "Up-votes received, undos subtracted"}
  - {name: forum_downvotes_received, type: BIGINT, description: "Down-votes received, undos subtracted"}
  - {name: textbook_pages_viewed, type: BIGINT, description: "book events"}
  - {name: last_subsection_viewed, type: VARCHAR, description: "Latest courseware subsection path, '' when none"}
--- */
WITH kept AS (
    SELECT
        e.context_course_id AS course_id,
        e.username AS username,
        e."time" AS "time",
        e.event_date AS event_date,
        e.event_type AS event_type,
        e.event_source AS event_source,
        e.p_problem_id AS p_problem_id,
        e.p_success AS p_success,
        e.p_id AS p_id,
        e.p_vote_value AS p_vote_value,
        e.p_undo_vote AS p_undo_vote,
        e.p_target_username AS p_target_username,
        CAST(s.report_end - INTERVAL 1 DAY AS DATE) AS last_day
    FROM insights_events AS e
    CROSS JOIN insights_settings AS s
    WHERE e.username IS NOT NULL
        AND e.event_type IS NOT NULL
        AND e.context_course_id IS NOT NULL
        AND e.payload_is_object
        AND (s.interval_start IS NULL OR e.event_date >= s.interval_start)
        AND e.event_date < s.report_end
),
bucketed AS (
    SELECT 'daily' AS interval_type, event_date AS end_date, * FROM kept
    UNION ALL
    SELECT
        'weekly' AS interval_type,
        CAST(last_day - CAST(7 * (date_diff('day', event_date, last_day) // 7) AS INTEGER) AS DATE) AS end_date,
        *
    FROM kept
    UNION ALL
    SELECT 'all' AS interval_type, last_day AS end_date, * FROM kept
),
own AS (
    SELECT
        interval_type,
        end_date,
        course_id,
        username,
        count(DISTINCT event_date) AS days_active,
        count(DISTINCT CASE WHEN event_type = 'problem_check' AND event_source = 'server' THEN p_problem_id END)
            AS problems_attempted,
        count(CASE WHEN event_type = 'problem_check' AND event_source = 'server' THEN p_problem_id END)
            AS problem_attempts,
        count(DISTINCT CASE
            WHEN event_type = 'problem_check' AND event_source = 'server' AND lower(p_success) = 'correct'
                THEN p_problem_id
        END) AS problems_correct,
        count(DISTINCT CASE WHEN event_type = 'play_video' AND p_id <> '' THEN p_id END) AS videos_played,
        sum(CASE WHEN event_type = 'edx.forum.thread.created' THEN 1 ELSE 0 END) AS forum_posts,
        sum(CASE WHEN event_type = 'edx.forum.response.created' THEN 1 ELSE 0 END) AS forum_responses,
        sum(CASE WHEN event_type = 'edx.forum.comment.created' THEN 1 ELSE 0 END) AS forum_comments,
        sum(CASE
            WHEN event_type IN ('edx.forum.thread.voted', 'edx.forum.response.voted') AND p_vote_value = 'up'
                THEN CASE WHEN p_undo_vote THEN -1 ELSE 1 END
            ELSE 0
        END) AS forum_upvotes_given,
        sum(CASE
            WHEN event_type IN ('edx.forum.thread.voted', 'edx.forum.response.voted') AND p_vote_value = 'down'
                THEN CASE WHEN p_undo_vote THEN -1 ELSE 1 END
            ELSE 0
        END) AS forum_downvotes_given,
        sum(CASE WHEN event_type = 'book' THEN 1 ELSE 0 END) AS textbook_pages_viewed,
        coalesce(
            arg_max(
                CASE
                    WHEN event_source = 'server'
                        AND regexp_matches(event_type, '^/courses/[^/+]+[/+][^/+]+[/+][^/]+/courseware/[^/]+/[^/]+/')
                        THEN event_type
                END,
                CASE
                    WHEN event_source = 'server'
                        AND regexp_matches(event_type, '^/courses/[^/+]+[/+][^/+]+[/+][^/]+/courseware/[^/]+/[^/]+/')
                        THEN "time"
                END
            ),
            ''
        ) AS last_subsection_viewed
    FROM bucketed
    GROUP BY interval_type, end_date, course_id, username
),
received AS (
    SELECT
        interval_type,
        end_date,
        course_id,
        trim(p_target_username) AS username,
        sum(CASE WHEN p_vote_value = 'up' THEN CASE WHEN p_undo_vote THEN -1 ELSE 1 END ELSE 0 END)
            AS forum_upvotes_received,
        sum(CASE WHEN p_vote_value = 'down' THEN CASE WHEN p_undo_vote THEN -1 ELSE 1 END ELSE 0 END)
            AS forum_downvotes_received
    FROM bucketed
    WHERE event_type IN ('edx.forum.thread.voted', 'edx.forum.response.voted')
        AND p_vote_value IN ('up', 'down')
        AND coalesce(trim(p_target_username), '') <> ''
    GROUP BY interval_type, end_date, course_id, trim(p_target_username)
),
keys AS (
    SELECT interval_type, end_date, course_id, username FROM own
    UNION
    SELECT interval_type, end_date, course_id, username FROM received
)
SELECT
    k.interval_type AS interval_type,
    k.end_date AS end_date,
    k.course_id AS course_id,
    k.username AS username,
    coalesce(o.days_active, 0) AS days_active,
    coalesce(o.problems_attempted, 0) AS problems_attempted,
    coalesce(o.problem_attempts, 0) AS problem_attempts,
    coalesce(o.problems_correct, 0) AS problems_correct,
    coalesce(o.videos_played, 0) AS videos_played,
    coalesce(o.forum_posts, 0) AS forum_posts,
    coalesce(o.forum_responses, 0) AS forum_responses,
    coalesce(o.forum_comments, 0) AS forum_comments,
    coalesce(o.forum_upvotes_given, 0) AS forum_upvotes_given,
    coalesce(o.forum_downvotes_given, 0) AS forum_downvotes_given,
    coalesce(r.forum_upvotes_received, 0) AS forum_upvotes_received,
    coalesce(r.forum_downvotes_received, 0) AS forum_downvotes_received,
    coalesce(o.textbook_pages_viewed, 0) AS textbook_pages_viewed,
    coalesce(o.last_subsection_viewed, '') AS last_subsection_viewed
FROM keys AS k
LEFT JOIN own AS o
    ON o.interval_type = k.interval_type AND o.end_date = k.end_date AND o.course_id = k.course_id
    AND o.username = k.username
LEFT JOIN received AS r
    ON r.interval_type = k.interval_type AND r.end_date = k.end_date AND r.course_id = k.course_id
    AND r.username = k.username
