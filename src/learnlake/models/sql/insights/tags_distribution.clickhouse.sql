-- JSON object keys and array values are expanded with ClickHouse's JSONExtractKeys / ARRAY JOIN.
WITH checks AS (
    SELECT
        e.context_course_id AS course_id,
        e.p_problem_id AS module_id,
        e.`time` AS `time`,
        e.p_success AS p_success,
        e.saved_tags AS saved_tags
    FROM insights_events AS e
    CROSS JOIN insights_settings AS s
    WHERE e.event_type = 'problem_check'
        AND e.event_source = 'server'
        AND e.context_course_id IS NOT NULL
        AND e.payload_is_object
        AND e.p_problem_id IS NOT NULL
        AND (s.interval_start IS NULL OR e.event_date >= s.interval_start)
        AND (s.interval_end IS NULL OR e.event_date < s.interval_end)
),
per_problem AS (
    SELECT
        course_id,
        module_id,
        count(*) AS total_submissions,
        sum(if(p_success = 'correct', 1, 0)) AS correct_submissions,
        argMax(coalesce(saved_tags, ''), `time`) AS latest_tags
    FROM checks
    GROUP BY course_id, module_id
),
tags AS (
    SELECT
        course_id,
        module_id,
        total_submissions,
        correct_submissions,
        latest_tags,
        tag_name,
        JSONExtractRaw(ifNull(latest_tags, ''), tag_name) AS tag_json
    FROM per_problem
    ARRAY JOIN JSONExtractKeys(if(isValidJSON(ifNull(latest_tags, '')), ifNull(latest_tags, ''), '{}')) AS tag_name
),
tag_values AS (
    SELECT course_id, module_id, total_submissions, correct_submissions, tag_name, tag_value
    FROM tags
    ARRAY JOIN arrayMap(x -> JSONExtractString(x), JSONExtractArrayRaw(ifNull(tag_json, ''))) AS tag_value
    WHERE toString(JSONType(tag_json)) = 'Array'
    UNION ALL
    SELECT course_id, module_id, total_submissions, correct_submissions, tag_name,
        if(toString(JSONType(tag_json)) = 'String', JSONExtractString(tag_json), tag_json) AS tag_value
    FROM tags
    WHERE toString(JSONType(tag_json)) NOT IN ('Array', 'Null')
)
SELECT
    course_id,
    if(
        startsWith(course_id, 'course-v1:'),
        splitByChar('+', substring(ifNull(course_id, ''), 11))[1],
        splitByChar('/', ifNull(course_id, ''))[1]
    ) AS org_id,
    module_id,
    tag_name,
    tag_value,
    total_submissions,
    correct_submissions
FROM tag_values
