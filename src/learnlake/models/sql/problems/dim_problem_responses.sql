/* ---
description: >
  What learners answered on their first try (Aspects' dim_problem_responses): each learner's first
  evaluated response (lowest attempt number, ties: earliest) per problem, cleaned of hint markup, `<div>`
  tags and list brackets and quotes, multi-select answers split into one row per choice; response_count
  is the number of learners who gave that response with that correctness. problem_number is
  `s:ss:u_part`, 0x08-padded like Aspects.
grain: one row per (course_key, problem_id, problem part, response, success)
materialization: table
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: problem_id, type: VARCHAR, description: "Problem usage key"}
  - {name: block_id_short, type: VARCHAR, description: "The block part of the usage key"}
  - {name: problem_part, type: VARCHAR, description: "Response part, '#N'"}
  - {name: response, type: VARCHAR, description: "One cleaned response value"}
  - {name: success, type: BOOLEAN, description: "Whether that first response was correct"}
  - {name: response_count, type: BIGINT, description: "Learners who gave it"}
  - {name: problem_number, type: VARCHAR, description: "'s:ss:u_part', 0x08-padded"}
  - {name: problem_name_location, type: VARCHAR, description: "problem_number - problem name"}
--- */
WITH firsts AS (
    SELECT
        org, course_key, problem_id, object_id, actor_id, responses, success,
        CAST(coalesce(nullif(regexp_extract(object_id, '_(\d+)_\d+$', 1), ''), '2') AS INTEGER) - 1 AS part_no,
        row_number() OVER (
            PARTITION BY org, course_key, object_id, actor_id ORDER BY attempts, emission_time, event_id
        ) AS rn
    FROM problem_events
    WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' AND problem_id <> ''
),
cleaned AS (
    SELECT
        org, course_key, problem_id, part_no, actor_id, success,
        regexp_replace(
            regexp_replace(regexp_replace(responses, '<choicehint[^>]*>.*?</choicehint>', '', 'g'), '</?div[^>]*>', '', 'g'),
            '^\[|\]$', '', 'g'
        ) AS cleaned
    FROM firsts
    WHERE rn = 1
),
split AS (
    SELECT org, course_key, problem_id, part_no, actor_id, success, unnest(string_split(cleaned, '", "')) AS piece
    FROM cleaned
),
counted AS (
    SELECT
        org, course_key, problem_id, part_no, trim(regexp_replace(piece, '^"|"$', '', 'g')) AS response, success,
        count(DISTINCT actor_id) AS response_count
    FROM split
    GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT
    c.org AS org,
    c.course_key AS course_key,
    c.problem_id AS problem_id,
    regexp_extract(c.problem_id, 'block@([^+/]+)$', 1) AS block_id_short,
    concat('#', CAST(c.part_no AS VARCHAR)) AS problem_part,
    c.response AS response,
    c.success AS success,
    c.response_count AS response_count,
    concat(
        lpad(string_split(b.hierarchy_location, ':')[1], 2, chr(8)), ':',
        lpad(string_split(b.hierarchy_location, ':')[2], 2, chr(8)), ':',
        lpad(string_split(b.hierarchy_location, ':')[3], 2, chr(8)), '_', CAST(c.part_no AS VARCHAR)
    ) AS problem_number,
    concat(
        lpad(string_split(b.hierarchy_location, ':')[1], 2, chr(8)), ':',
        lpad(string_split(b.hierarchy_location, ':')[2], 2, chr(8)), ':',
        lpad(string_split(b.hierarchy_location, ':')[3], 2, chr(8)), '_', CAST(c.part_no AS VARCHAR), ' - ', b.block_name
    ) AS problem_name_location
FROM counted AS c
LEFT JOIN dim_course_blocks AS b ON b.block_id = c.problem_id
