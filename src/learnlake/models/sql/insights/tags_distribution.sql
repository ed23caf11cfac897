/* ---
description: >
  Insights' tags_distribution (learning outcomes / difficulty): per problem, submissions and correct
  submissions (payload success = correct exactly) from server problem_check events with a valid context
  course id and a payload problem_id inside the model_settings interval, repeated on one row per tag value
  of the problem's tags (context.asides.tagging_aside.saved_tags: name -> value or list of values). The
  tags are those of the latest submission only; a problem whose latest submission has no tags has no rows.
grain: one row per (course_id, module_id, tag_name, tag_value)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: org_id, type: VARCHAR, description: "Organization of the course key"}
  - {name: module_id, type: VARCHAR, description: "Problem id"}
  - {name: tag_name, type: VARCHAR, description: "Tag (e.g. learning_outcome, difficulty)"}
  - {name: tag_value, type: VARCHAR, description: "One value of the tag"}
  - {name: total_submissions, type: BIGINT, description: "problem_check submissions of the problem"}
  - {name: correct_submissions, type: BIGINT, description: "Correct submissions"}
--- */
WITH checks AS (
    SELECT
        e.context_course_id AS course_id,
        e.p_problem_id AS module_id,
        e."time" AS "time",
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
        sum(CASE WHEN p_success = 'correct' THEN 1 ELSE 0 END) AS correct_submissions,
        arg_max(coalesce(saved_tags, ''), "time") AS latest_tags
    FROM checks
    GROUP BY course_id, module_id
),
tags AS (
    SELECT
        p.*,
        k.tag_name AS tag_name,
        json_extract(p.latest_tags, '$."' || k.tag_name || '"') AS tag_json
    FROM per_problem AS p
    CROSS JOIN unnest(json_keys(CASE WHEN json_valid(p.latest_tags) THEN p.latest_tags END)) AS k(tag_name)
),
tag_values AS (
    SELECT *, unnest(json_extract_string(tag_json, '$[*]')) AS tag_value
    FROM tags
    WHERE json_type(tag_json) = 'ARRAY'
    UNION ALL
    SELECT *, json_extract_string(tag_json, '$') AS tag_value
    FROM tags
    WHERE json_type(tag_json) <> 'ARRAY' AND json_type(tag_json) <> 'NULL'
)
SELECT
    course_id,
    CASE
        WHEN starts_with(course_id, 'course-v1:') THEN split_part(substr(course_id, 11), '+', 1)
        ELSE split_part(course_id, '/', 1)
    END AS org_id,
    module_id,
    tag_name,
    tag_value,
    total_submissions,
    correct_submissions
FROM tag_values
