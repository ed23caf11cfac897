WITH checks AS (
    SELECT
        e.context_course_id AS course_id,
        e.p_problem_id AS problem_id,
        e.username AS username,
        e.`time` AS `time`,
        e.p_answers AS p_answers,
        e.p_submission AS p_submission,
        e.p_correct_map AS p_correct_map,
        e.p_grade AS p_grade,
        e.p_max_grade AS p_max_grade,
        e.module_display_name AS module_display_name
    FROM insights_events AS e
    CROSS JOIN insights_settings AS s
    WHERE e.event_type = 'problem_check'
        AND e.event_source = 'server'
        AND e.username IS NOT NULL
        AND e.context_course_id IS NOT NULL
        AND e.p_problem_id IS NOT NULL
        AND e.p_answers IS NOT NULL
        AND toString(JSONType(coalesce(e.p_answers, ''))) = 'Object'
        AND length(JSONExtractKeys(coalesce(e.p_answers, '{}'))) > 0
        AND NOT match(
            concat(
                arrayStringConcat(JSONExtractKeys(coalesce(e.p_answers, '{}')), ''),
                arrayStringConcat(JSONExtractKeys(coalesce(e.p_submission, '{}')), '')
            ),
            '[\\t\\n]|[^[:ascii:]]'
        )
        AND (s.interval_start IS NULL OR e.event_date >= s.interval_start)
        AND (s.interval_end IS NULL OR e.event_date < s.interval_end)
),
ranked AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY course_id, problem_id, username) AS total_attempts,
        min(`time`) OVER (PARTITION BY course_id, problem_id, username) AS first_time,
        max(`time`) OVER (PARTITION BY course_id, problem_id, username) AS last_time,
        row_number() OVER (PARTITION BY course_id, problem_id, username ORDER BY `time` DESC) AS recency
    FROM checks
),
answers AS (
    SELECT r.*, answer_id
    FROM ranked AS r
    ARRAY JOIN JSONExtractKeys(coalesce(r.p_answers, '{}')) AS answer_id
    WHERE r.recency = 1
        AND NOT endsWith(answer_id, '_dynamath')
        AND NOT endsWith(answer_id, '_comment')
),
picked AS (
    SELECT
        *,
        if(
            p_submission IS NOT NULL,
            JSONExtractRaw(coalesce(p_submission, '{}'), answer_id, 'answer'),
            JSONExtractRaw(coalesce(p_answers, '{}'), answer_id)
        ) AS answer_json,
        if(p_submission IS NOT NULL, JSONExtractString(coalesce(p_submission, '{}'), answer_id, 'question'), '') AS question_raw,
        nullIf(JSONExtractString(coalesce(p_correct_map, '{}'), answer_id, 'correctness'), '') AS correctness,
        JSONHas(coalesce(p_correct_map, '{}'), answer_id) AS in_correct_map
    FROM answers
),
cleaned AS (
    SELECT
        *,
        multiIf(
            toString(JSONType(answer_json)) = 'Array',
            arrayStringConcat(arrayMap(a -> replaceRegexpAll(replaceRegexpAll(a, '\\s+', ' '), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', ''), JSONExtract(answer_json, 'Array(String)')), '|'),
            toString(JSONType(answer_json)) = 'String',
            replaceRegexpAll(replaceRegexpAll(JSONExtractString(answer_json), '\\s+', ' '), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', ''),
            toString(JSONType(answer_json)) = 'Null',
            NULL,
            replaceRegexpAll(replaceRegexpAll(answer_json, '\\s+', ' '), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', '')
        ) AS answer_text
    FROM picked
    WHERE p_submission IS NOT NULL OR in_correct_map
),
outline AS (
    SELECT
        b.course_key AS course_key,
        b.location AS location,
        CAST(b.`order` AS Int64) - 1 AS sort_idx,
        arrayStringConcat(
            arrayMap(x -> assumeNotNull(x), arrayFilter(x -> x IS NOT NULL, [
                replaceRegexpAll(root.display_name, '\\s+', ' '),
                replaceRegexpAll(ch.display_name, '\\s+', ' '),
                replaceRegexpAll(sq.display_name, '\\s+', ' '),
                replaceRegexpAll(vt.display_name, '\\s+', ' ')
            ])),
            ' / '
        ) AS course_path
    FROM course_blocks AS b
    LEFT JOIN (SELECT course_key, display_name FROM course_blocks WHERE block_type = 'course') AS root
        ON root.course_key = b.course_key
    LEFT JOIN (SELECT course_key, section, display_name FROM course_blocks WHERE block_type = 'chapter') AS ch
        ON ch.course_key = b.course_key AND ch.section = if(b.section > 0, b.section, -1)
    LEFT JOIN (SELECT course_key, section, subsection, display_name FROM course_blocks WHERE block_type = 'sequential') AS sq
        ON sq.course_key = b.course_key AND sq.section = b.section AND sq.subsection = if(b.subsection > 0, b.subsection, -1)
    LEFT JOIN (SELECT course_key, section, subsection, unit, display_name FROM course_blocks WHERE block_type = 'vertical') AS vt
        ON vt.course_key = b.course_key AND vt.section = b.section AND vt.subsection = b.subsection
        AND vt.unit = if(b.unit > 0, b.unit, -1)
)
SELECT
    c.course_id AS course_id,
    c.username AS username,
    c.problem_id AS problem_id,
    c.answer_id AS answer_id,
    concat(coalesce(o.course_path, '(Deleted block :)'), ' / ', coalesce(replaceRegexpAll(replaceRegexpAll(c.module_display_name, '\\s+', ' '), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', ''), '')) AS location,
    replaceRegexpAll(replaceRegexpAll(c.question_raw, '\\s+', ' '), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', '') AS question,
    if(c.p_grade = floor(c.p_grade) AND abs(c.p_grade) < 1e15, concat(toString(toInt64(c.p_grade)), '.0'), toString(c.p_grade)) AS score,
    if(c.p_max_grade = floor(c.p_max_grade) AND abs(c.p_max_grade) < 1e15, concat(toString(toInt64(c.p_max_grade)), '.0'), toString(c.p_max_grade)) AS max_score,
    multiIf(c.correctness = 'correct', 'True', c.correctness = 'incorrect', 'False', 'None') AS correct,
    c.answer_text AS answer,
    c.total_attempts AS total_attempts,
    formatDateTime(c.first_time, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS first_attempt_date,
    formatDateTime(c.last_time, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS last_attempt_date,
    coalesce(o.sort_idx, -1) AS sort_idx
FROM cleaned AS c
LEFT JOIN outline AS o ON o.course_key = c.course_id AND o.location = c.problem_id
