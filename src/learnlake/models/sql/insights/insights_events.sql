/* ---
description: >
  Tracking events prepared once for every Insights report (edx-analytics-pipeline conventions): the payload
  (`event`, an object or a JSON-encoded string) normalised to JSON text, the course id from the context
  (trimmed, validated as org/course/run or course-v1:org+course+run) and, separately, the course id found in
  the URL (server events: the event_type path; browser events: the page; /xblock/block-v1 URLs), the
  username (the tracking_events column), and the payload fields the reports read. Positions and durations
  are numbers or NULL when not numeric. Reports filter on `event_date` (the UTC date of `time`) and on the
  interval in `model_settings` (`interval_start`, `interval_end`: half-open, NULL means unbounded).
  Usernames exist only when the lake keeps personal data (privacy.pii). Materialized incrementally by day
  so the reports parse each event's JSON once; the JSON columns (answers, submission, correct_map, tags) are
  kept for problem_check events only.
grain: one row per tracking event
materialization: incremental
partition_by: event_date
columns:
  - {name: event_key, type: VARCHAR, description: "tracking_events.event_key"}
  - {name: time, type: TIMESTAMP, description: "Event time (UTC)"}
  - {name: event_date, type: DATE, description: "UTC date of the event"}
  - {name: event_type, type: VARCHAR, description: "event_type as logged"}
  - {name: event_source, type: VARCHAR, description: "server, browser, mobile or task"}
  - {name: user_id, type: BIGINT, description: "context.user_id"}
  - {name: username, type: VARCHAR, description: "Trimmed username; NULL when empty or not stored"}
  - {name: context_course_id, type: VARCHAR, description: "Valid course key from context.course_id, else NULL"}
  - {name: context_course_invalid, type: BOOLEAN, description: "context.course_id present but not a course key"}
  - {name: url_course_id, type: VARCHAR, description: "Course key from the event_type path (server) or page (browser)"}
  - {name: payload_is_object, type: BOOLEAN, description: "The payload is a JSON object (or a string holding one)"}
  - {name: payload_empty, type: BOOLEAN, description: "The payload is the empty string"}
  - {name: p_course_id, type: VARCHAR, description: "payload course_id (trimmed)"}
  - {name: p_user_id, type: BIGINT, description: "payload user_id"}
  - {name: p_mode, type: VARCHAR, description: "payload mode"}
  - {name: p_problem_id, type: VARCHAR, description: "payload problem_id"}
  - {name: p_success, type: VARCHAR, description: "payload success"}
  - {name: p_grade, type: DOUBLE, description: "payload grade"}
  - {name: p_max_grade, type: DOUBLE, description: "payload max_grade"}
  - {name: p_answers, type: VARCHAR, description: "payload answers (JSON)"}
  - {name: p_submission, type: VARCHAR, description: "payload submission (JSON)"}
  - {name: p_correct_map, type: VARCHAR, description: "payload correct_map (JSON)"}
  - {name: p_id, type: VARCHAR, description: "payload id, trimmed (video id)"}
  - {name: p_current_time, type: DOUBLE, description: "payload currentTime when numeric"}
  - {name: p_has_current_time, type: BOOLEAN, description: "payload has a currentTime key"}
  - {name: p_new_time, type: DOUBLE, description: "payload new_time when numeric"}
  - {name: p_old_time, type: DOUBLE, description: "payload old_time when numeric"}
  - {name: p_duration, type: DOUBLE, description: "payload duration when numeric and non-zero"}
  - {name: p_commentable_id, type: VARCHAR, description: "payload commentable_id (forum)"}
  - {name: p_vote_value, type: VARCHAR, description: "payload vote_value (forum)"}
  - {name: p_undo_vote, type: BOOLEAN, description: "payload undo_vote (forum)"}
  - {name: p_target_username, type: VARCHAR, description: "payload target_username (forum)"}
  - {name: p_block_id, type: VARCHAR, description: "payload block_id (completion)"}
  - {name: p_completion, type: DOUBLE, description: "payload completion (completion)"}
  - {name: module_display_name, type: VARCHAR, description: "context.module.display_name"}
  - {name: saved_tags, type: VARCHAR, description: "context.asides.tagging_aside.saved_tags (JSON)"}
--- */
WITH src AS (
    SELECT
        event_key,
        "time",
        event_type,
        event_source,
        user_id,
        nullif(trim(username), '') AS username,
        trim(course_id) AS ctx_course,
        -- the JSON is parsed (once, for every value read from it) only where a report needs it: events with
        -- payload fields, events with a username (the username reports check the payload is an object) and
        -- browser events without a course (the course then comes from the page URL)
        CASE
            WHEN username IS NOT NULL
                OR event_type IN (
                    'edx.course.enrollment.activated', 'edx.course.enrollment.deactivated',
                    'edx.course.enrollment.mode_changed', 'problem_check', 'play_video', 'pause_video',
                    'seek_video', 'stop_video', 'edx.completion.block_completion.changed'
                )
                OR starts_with(event_type, 'edx.forum.')
                OR (course_id IS NULL AND coalesce(event_source, '') <> 'server')
                THEN json_extract_string(
                    raw, ['$.event', '$.page', '$.context.module.display_name', '$.context.asides.tagging_aside.saved_tags']
                )
        END AS top
    FROM tracking_events
),
norm AS (
    SELECT
        *,
        top[1] AS payload_text,
        CASE WHEN starts_with(ltrim(top[1]), '{') AND json_valid(top[1]) THEN top[1] END AS payload,
        CASE WHEN event_source = 'server' THEN event_type ELSE top[2] END AS url
    FROM src
),
parsed AS (
    SELECT
        *,
        regexp_extract(url, '/courses/(course-v1:[^/+]+\+[^/+]+\+[^/?#]+|[^/:+?#]+/[^/+?#]+/[^/+?#]+)/', 1)
            AS url_course_path,
        regexp_extract(url, '/xblock/block-v1:([^/+]+\+[^/+]+\+[^/+]+)\+type@', 1) AS url_xblock,
        -- one parse of the payload for every field the reports read, for the events they read it from
        CASE
            WHEN event_type IN (
                    'edx.course.enrollment.activated', 'edx.course.enrollment.deactivated',
                    'edx.course.enrollment.mode_changed', 'problem_check', 'play_video', 'pause_video',
                    'seek_video', 'stop_video', 'edx.completion.block_completion.changed'
                )
                OR starts_with(event_type, 'edx.forum.')
                THEN json_extract_string(
            payload,
            ['$.course_id', '$.user_id', '$.mode', '$.problem_id', '$.success', '$.grade', '$.max_grade',
             '$.id', '$.currentTime', '$.new_time', '$.old_time', '$.duration', '$.commentable_id',
             '$.vote_value', '$.undo_vote', '$.target_username', '$.block_id', '$.completion']
        )
        END AS p
    FROM norm
)
SELECT
    event_key,
    "time",
    CAST("time" AS DATE) AS event_date,
    event_type,
    event_source,
    user_id,
    username,
    CASE
        WHEN regexp_matches(ctx_course, '^(course-v1:[^/+\s]+\+[^/+\s]+\+[^/+\s]+|[^/+\s:]+/[^/+\s]+/[^/+\s]+)$')
            THEN ctx_course
    END AS context_course_id,
    coalesce(ctx_course <> '', FALSE)
        AND NOT regexp_matches(ctx_course, '^(course-v1:[^/+\s]+\+[^/+\s]+\+[^/+\s]+|[^/+\s:]+/[^/+\s]+/[^/+\s]+)$')
        AS context_course_invalid,
    CASE
        WHEN url_course_path <> '' THEN url_course_path
        WHEN url_xblock <> '' THEN 'course-v1:' || url_xblock
    END AS url_course_id,
    payload IS NOT NULL AS payload_is_object,
    coalesce(payload_text = '', FALSE) AS payload_empty,
    trim(p[1]) AS p_course_id,
    TRY_CAST(p[2] AS BIGINT) AS p_user_id,
    p[3] AS p_mode,
    p[4] AS p_problem_id,
    p[5] AS p_success,
    TRY_CAST(p[6] AS DOUBLE) AS p_grade,
    TRY_CAST(p[7] AS DOUBLE) AS p_max_grade,
    CASE WHEN event_type = 'problem_check' THEN CAST(json_extract(payload, '$.answers') AS VARCHAR) END AS p_answers,
    CASE WHEN event_type = 'problem_check' THEN CAST(json_extract(payload, '$.submission') AS VARCHAR) END AS p_submission,
    CASE WHEN event_type = 'problem_check' THEN CAST(json_extract(payload, '$.correct_map') AS VARCHAR) END AS p_correct_map,
    trim(p[8]) AS p_id,
    TRY_CAST(p[9] AS DOUBLE) AS p_current_time,
    coalesce(event_type = 'pause_video' AND json_exists(payload, '$.currentTime'), FALSE) AS p_has_current_time,
    TRY_CAST(p[10] AS DOUBLE) AS p_new_time,
    TRY_CAST(p[11] AS DOUBLE) AS p_old_time,
    nullif(TRY_CAST(p[12] AS DOUBLE), 0) AS p_duration,
    p[13] AS p_commentable_id,
    p[14] AS p_vote_value,
    coalesce(p[15] IN ('true', 'True', '1'), FALSE) AS p_undo_vote,
    p[16] AS p_target_username,
    p[17] AS p_block_id,
    TRY_CAST(p[18] AS DOUBLE) AS p_completion,
    top[3] AS module_display_name,
    CASE WHEN event_type = 'problem_check' THEN top[4] END AS saved_tags
FROM parsed
