/* ---
description: >
  Insights' problem response report: each learner's latest answer to each problem part, with the number
  of attempts and the problem's place in the course outline. From server problem_check events inside the
  model_settings interval that have a username, a valid context course id, a payload problem_id and a
  non-empty answers object whose ids (and submission ids) are ASCII without tab or newline. Every field
  but the attempt count and dates comes from the learner's latest event; one row per answer id of that
  event (ids ending _dynamath or _comment skipped). With a submission, question and answer come from it;
  otherwise the answer comes from answers and ids missing from correct_map are skipped. Text is cleaned
  as Insights did: whitespace runs collapsed, then <choicehint> markup removed; list answers joined with
  "|"; no trimming. location = the names of the course root, section, subsection and unit holding the
  problem in course_blocks, then the display name from the event; "(Deleted block :)" when the problem is
  not in course_blocks (sort_idx -1). Values are formatted as the report file writes them (score "1.0",
  correct True/False/None, dates %Y-%m-%dT%H:%M:%SZ); rows sort by (sort_idx, username). Difference from
  Insights: the outline path is found through course_blocks' section/subsection/unit numbering, so blocks
  nested deeper than a unit (library content, split tests) show the unit as their parent.
grain: one row per (course_id, problem_id, username, answer_id)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key (one report file per course)"}
  - {name: username, type: VARCHAR, description: "Learner"}
  - {name: problem_id, type: VARCHAR, description: "Problem usage key"}
  - {name: answer_id, type: VARCHAR, description: "Answer (input) id"}
  - {name: location, type: VARCHAR, description: "Course / section / subsection / unit / problem names"}
  - {name: question, type: VARCHAR, description: "Question text from the submission"}
  - {name: score, type: VARCHAR, description: "Payload grade as a float"}
  - {name: max_score, type: VARCHAR, description: "Payload max_grade as a float"}
  - {name: correct, type: VARCHAR, description: "True, False or None"}
  - {name: answer, type: VARCHAR, description: "Cleaned answer; list answers joined with |"}
  - {name: total_attempts, type: BIGINT, description: "problem_check events in the interval"}
  - {name: first_attempt_date, type: VARCHAR, description: "First attempt (UTC, %Y-%m-%dT%H:%M:%SZ)"}
  - {name: last_attempt_date, type: VARCHAR, description: "Last attempt (UTC, %Y-%m-%dT%H:%M:%SZ)"}
  - {name: sort_idx, type: BIGINT, description: "Depth-first position of the problem in the outline (root 0)"}
--- */
WITH checks AS (
    SELECT
        e.context_course_id AS course_id,
        e.p_problem_id AS problem_id,
        e.username AS username,
        e."time" AS "time",
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
        AND json_type(e.p_answers) = 'OBJECT'
        AND len(json_keys(e.p_answers)) > 0
        AND NOT regexp_matches(
            array_to_string(json_keys(e.p_answers), '') || coalesce(array_to_string(json_keys(e.p_submission), ''), ''),
            '[\t\n]|[^[:ascii:]]'
        )
        AND (s.interval_start IS NULL OR e.event_date >= s.interval_start)
        AND (s.interval_end IS NULL OR e.event_date < s.interval_end)
),
ranked AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY course_id, problem_id, username) AS total_attempts,
        min("time") OVER (PARTITION BY course_id, problem_id, username) AS first_time,
        max("time") OVER (PARTITION BY course_id, problem_id, username) AS last_time,
        row_number() OVER (PARTITION BY course_id, problem_id, username ORDER BY "time" DESC) AS recency
    FROM checks
),
answers AS (
    SELECT
        r.*,
        k.answer_id AS answer_id
    FROM ranked AS r
    CROSS JOIN unnest(json_keys(r.p_answers)) AS k(answer_id)
    WHERE r.recency = 1
        AND NOT ends_with(k.answer_id, '_dynamath')
        AND NOT ends_with(k.answer_id, '_comment')
),
picked AS (
    SELECT
        *,
        CASE
            WHEN p_submission IS NOT NULL THEN json_extract(p_submission, '$."' || answer_id || '".answer')
            ELSE json_extract(p_answers, '$."' || answer_id || '"')
        END AS answer_json,
        CASE
            WHEN p_submission IS NOT NULL THEN coalesce(json_extract_string(p_submission, '$."' || answer_id || '".question'), '')
            ELSE ''
        END AS question_raw,
        json_extract_string(p_correct_map, '$."' || answer_id || '".correctness') AS correctness,
        json_exists(p_correct_map, '$."' || answer_id || '"') AS in_correct_map
    FROM answers
),
cleaned AS (
    SELECT
        *,
        CASE
            WHEN json_type(answer_json) = 'ARRAY' THEN array_to_string(
                list_transform(
                    json_extract_string(answer_json, '$[*]'),
                    a -> regexp_replace(
                        regexp_replace(a, '\s+', ' ', 'g'), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', '', 'g'
                    )
                ),
                '|'
            )
            ELSE regexp_replace(
                regexp_replace(json_extract_string(answer_json, '$'), '\s+', ' ', 'g'),
                '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', '', 'g'
            )
        END AS answer_text
    FROM picked
    WHERE p_submission IS NOT NULL OR in_correct_map
),
outline AS (
    SELECT
        b.course_key AS course_key,
        b.location AS location,
        CAST(b."order" AS BIGINT) - 1 AS sort_idx,
        concat_ws(
            ' / ',
            regexp_replace(root.display_name, '\s+', ' ', 'g'),
            regexp_replace(ch.display_name, '\s+', ' ', 'g'),
            regexp_replace(sq.display_name, '\s+', ' ', 'g'),
            regexp_replace(vt.display_name, '\s+', ' ', 'g')
        ) AS course_path
    FROM course_blocks AS b
    LEFT JOIN course_blocks AS root
        ON root.course_key = b.course_key AND root.block_type = 'course'
    LEFT JOIN course_blocks AS ch
        ON ch.course_key = b.course_key AND ch.block_type = 'chapter' AND ch.section = b.section
        AND b.section > 0
    LEFT JOIN course_blocks AS sq
        ON sq.course_key = b.course_key AND sq.block_type = 'sequential' AND sq.section = b.section
        AND sq.subsection = b.subsection AND b.subsection > 0
    LEFT JOIN course_blocks AS vt
        ON vt.course_key = b.course_key AND vt.block_type = 'vertical' AND vt.section = b.section
        AND vt.subsection = b.subsection AND vt.unit = b.unit AND b.unit > 0
)
SELECT
    c.course_id AS course_id,
    c.username AS username,
    c.problem_id AS problem_id,
    c.answer_id AS answer_id,
    coalesce(o.course_path, '(Deleted block :)') || ' / '
        || coalesce(regexp_replace(
            regexp_replace(c.module_display_name, '\s+', ' ', 'g'),
            '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', '', 'g'
        ), '') AS location,
    regexp_replace(
        regexp_replace(c.question_raw, '\s+', ' ', 'g'), '<choicehint[^>]*>.*?</choicehint>|<choicehint[^>]*>', '', 'g'
    ) AS question,
    CAST(CAST(c.p_grade AS DOUBLE) AS VARCHAR) AS score,
    CAST(CAST(c.p_max_grade AS DOUBLE) AS VARCHAR) AS max_score,
    CASE c.correctness WHEN 'correct' THEN 'True' WHEN 'incorrect' THEN 'False' ELSE 'None' END AS correct,
    c.answer_text AS answer,
    c.total_attempts AS total_attempts,
    strftime(c.first_time, '%Y-%m-%dT%H:%M:%SZ') AS first_attempt_date,
    strftime(c.last_time, '%Y-%m-%dT%H:%M:%SZ') AS last_attempt_date,
    coalesce(o.sort_idx, -1) AS sort_idx
FROM cleaned AS c
LEFT JOIN outline AS o ON o.course_key = c.course_id AND o.location = c.problem_id
