-- insights_events.sql's logic with ClickHouse JSON functions (no transpiled equivalent).
WITH src0 AS (
    SELECT
        *,
        username IS NOT NULL
            OR event_type IN (
                'edx.course.enrollment.activated', 'edx.course.enrollment.deactivated',
                'edx.course.enrollment.mode_changed', 'problem_check', 'play_video', 'pause_video',
                'seek_video', 'stop_video', 'edx.completion.block_completion.changed'
            )
            OR startsWith(coalesce(event_type, ''), 'edx.forum.')
            OR (course_id IS NULL AND coalesce(event_source, '') <> 'server') AS needs_raw
    FROM tracking_events
),
src AS (
    SELECT
        event_key,
        `time`,
        event_type,
        event_source,
        user_id,
        nullIf(trimBoth(coalesce(username, '')), '') AS username_column,
        if(needs_raw, raw, NULL) AS raw_json,
        if(needs_raw, multiIf(JSONType(raw, 'page') = 'String', JSONExtractString(raw, 'page'), JSONType(raw, 'page') = 'Null', NULL, nullIf(JSONExtractRaw(raw, 'page'), '')), NULL) AS page_value,
        trimBoth(course_id) AS ctx_course,
        if(needs_raw, toString(JSONType(raw, 'event')), NULL) AS payload_type,
        if(needs_raw, multiIf(
            toString(JSONType(raw, 'event')) = 'Object', JSONExtractRaw(raw, 'event'),
            toString(JSONType(raw, 'event')) = 'String', JSONExtractString(raw, 'event'),
            NULL
        ), NULL) AS payload_text
    FROM src0
),
norm AS (
    SELECT
        *,
        if(
            payload_type = 'Object'
                OR (payload_type = 'String' AND isValidJSON(payload_text) AND toString(JSONType(payload_text)) = 'Object'),
            payload_text,
            NULL
        ) AS payload,
        regexpExtract(
            coalesce(if(event_source = 'server', event_type, page_value), ''),
            '/courses/(course-v1:[^/+]+\\+[^/+]+\\+[^/?#]+|[^/:+?#]+/[^/+?#]+/[^/+?#]+)/', 1
        ) AS url_course_path,
        regexpExtract(
            coalesce(if(event_source = 'server', event_type, page_value), ''),
            '/xblock/block-v1:([^/+]+\\+[^/+]+\\+[^/+]+)\\+type@', 1
        ) AS url_xblock,
        event_type IN (
            'edx.course.enrollment.activated', 'edx.course.enrollment.deactivated',
            'edx.course.enrollment.mode_changed', 'problem_check', 'play_video', 'pause_video',
            'seek_video', 'stop_video', 'edx.completion.block_completion.changed'
        ) OR startsWith(coalesce(event_type, ''), 'edx.forum.') AS needs_payload
    FROM src
)
SELECT
    event_key,
    toDateTime64(`time`, 6, 'UTC') AS `time`,
    toDate(`time`, 'UTC') AS event_date,
    event_type,
    event_source,
    user_id,
    username_column AS username,
    if(match(coalesce(ctx_course, ''), '^(course-v1:[^/+\\s]+\\+[^/+\\s]+\\+[^/+\\s]+|[^/+\\s:]+/[^/+\\s]+/[^/+\\s]+)$'), ctx_course, NULL) AS context_course_id,
    coalesce(ctx_course, '') <> '' AND NOT match(coalesce(ctx_course, ''), '^(course-v1:[^/+\\s]+\\+[^/+\\s]+\\+[^/+\\s]+|[^/+\\s:]+/[^/+\\s]+/[^/+\\s]+)$')
        AS context_course_invalid,
    multiIf(url_course_path <> '', url_course_path, url_xblock <> '', concat('course-v1:', url_xblock), NULL) AS url_course_id,
    payload IS NOT NULL AS payload_is_object,
    coalesce(payload_type = 'String' AND payload_text = '', false) AS payload_empty,
    trimBoth(if(needs_payload, multiIf(JSONType(payload, 'course_id') = 'String', JSONExtractString(payload, 'course_id'), JSONType(payload, 'course_id') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'course_id'), '')), NULL)) AS p_course_id,
    toInt64OrNull(if(needs_payload, multiIf(JSONType(payload, 'user_id') = 'String', JSONExtractString(payload, 'user_id'), JSONType(payload, 'user_id') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'user_id'), '')), NULL)) AS p_user_id,
    if(needs_payload, multiIf(JSONType(payload, 'mode') = 'String', JSONExtractString(payload, 'mode'), JSONType(payload, 'mode') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'mode'), '')), NULL) AS p_mode,
    if(needs_payload, multiIf(JSONType(payload, 'problem_id') = 'String', JSONExtractString(payload, 'problem_id'), JSONType(payload, 'problem_id') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'problem_id'), '')), NULL) AS p_problem_id,
    if(needs_payload, multiIf(JSONType(payload, 'success') = 'String', JSONExtractString(payload, 'success'), JSONType(payload, 'success') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'success'), '')), NULL) AS p_success,
    toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'grade') = 'String', JSONExtractString(payload, 'grade'), JSONType(payload, 'grade') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'grade'), '')), NULL)) AS p_grade,
    toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'max_grade') = 'String', JSONExtractString(payload, 'max_grade'), JSONType(payload, 'max_grade') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'max_grade'), '')), NULL)) AS p_max_grade,
    if(event_type = 'problem_check', if(JSONHas(payload, 'answers') AND JSONType(payload, 'answers') <> 'Null', JSONExtractRaw(payload, 'answers'), NULL), NULL) AS p_answers,
    if(event_type = 'problem_check', if(JSONHas(payload, 'submission') AND JSONType(payload, 'submission') <> 'Null', JSONExtractRaw(payload, 'submission'), NULL), NULL) AS p_submission,
    if(event_type = 'problem_check', if(JSONHas(payload, 'correct_map') AND JSONType(payload, 'correct_map') <> 'Null', JSONExtractRaw(payload, 'correct_map'), NULL), NULL) AS p_correct_map,
    trimBoth(if(needs_payload, multiIf(JSONType(payload, 'id') = 'String', JSONExtractString(payload, 'id'), JSONType(payload, 'id') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'id'), '')), NULL)) AS p_id,
    toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'currentTime') = 'String', JSONExtractString(payload, 'currentTime'), JSONType(payload, 'currentTime') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'currentTime'), '')), NULL)) AS p_current_time,
    coalesce(event_type = 'pause_video' AND JSONHas(payload, 'currentTime'), false) AS p_has_current_time,
    toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'new_time') = 'String', JSONExtractString(payload, 'new_time'), JSONType(payload, 'new_time') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'new_time'), '')), NULL)) AS p_new_time,
    toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'old_time') = 'String', JSONExtractString(payload, 'old_time'), JSONType(payload, 'old_time') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'old_time'), '')), NULL)) AS p_old_time,
    nullIf(toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'duration') = 'String', JSONExtractString(payload, 'duration'), JSONType(payload, 'duration') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'duration'), '')), NULL)), 0) AS p_duration,
    if(needs_payload, multiIf(JSONType(payload, 'commentable_id') = 'String', JSONExtractString(payload, 'commentable_id'), JSONType(payload, 'commentable_id') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'commentable_id'), '')), NULL) AS p_commentable_id,
    if(needs_payload, multiIf(JSONType(payload, 'vote_value') = 'String', JSONExtractString(payload, 'vote_value'), JSONType(payload, 'vote_value') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'vote_value'), '')), NULL) AS p_vote_value,
    coalesce(if(needs_payload, multiIf(JSONType(payload, 'undo_vote') = 'String', JSONExtractString(payload, 'undo_vote'), JSONType(payload, 'undo_vote') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'undo_vote'), '')), NULL) IN ('true', 'True', '1'), false) AS p_undo_vote,
    if(needs_payload, multiIf(JSONType(payload, 'target_username') = 'String', JSONExtractString(payload, 'target_username'), JSONType(payload, 'target_username') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'target_username'), '')), NULL) AS p_target_username,
    if(needs_payload, multiIf(JSONType(payload, 'block_id') = 'String', JSONExtractString(payload, 'block_id'), JSONType(payload, 'block_id') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'block_id'), '')), NULL) AS p_block_id,
    toFloat64OrNull(if(needs_payload, multiIf(JSONType(payload, 'completion') = 'String', JSONExtractString(payload, 'completion'), JSONType(payload, 'completion') = 'Null', NULL, nullIf(JSONExtractRaw(payload, 'completion'), '')), NULL)) AS p_completion,
    multiIf(JSONType(raw_json, 'context', 'module', 'display_name') = 'String', JSONExtractString(raw_json, 'context', 'module', 'display_name'), JSONType(raw_json, 'context', 'module', 'display_name') = 'Null', NULL, nullIf(JSONExtractRaw(raw_json, 'context', 'module', 'display_name'), '')) AS module_display_name,
    if(event_type = 'problem_check', if(JSONHas(raw_json, 'context', 'asides', 'tagging_aside', 'saved_tags') AND JSONType(raw_json, 'context', 'asides', 'tagging_aside', 'saved_tags') <> 'Null', JSONExtractRaw(raw_json, 'context', 'asides', 'tagging_aside', 'saved_tags'), NULL), NULL) AS saved_tags
FROM norm
