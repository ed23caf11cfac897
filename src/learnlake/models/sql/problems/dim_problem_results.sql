/* ---
description: >
  Each learner's result on each problem (Aspects' dim_problem_results, v8 semantics): the last
  response's success and attempt count, with the problem's number (`s:ss:u_part`, each number left-padded
  to width 2 with 0x08 bytes so text sorting follows course order, as Aspects) and its name.
grain: one row per (course_key, problem_id, actor_id)
materialization: view
unique_key: [course_key, problem_id, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: problem_id, type: VARCHAR, description: "Problem usage key"}
  - {name: block_id_short, type: VARCHAR, description: "The block part of the usage key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: success, type: BOOLEAN, description: "Last response correct"}
  - {name: attempts, type: INTEGER, description: "Attempts made"}
  - {name: problem_number, type: VARCHAR, description: "'s:ss:u_part', 0x08-padded"}
  - {name: problem_name_location, type: VARCHAR, description: "problem_number - problem name"}
--- */
WITH numbered AS (
    SELECT
        r.*,
        string_split(string_split(b.display_name_with_location, ' - ')[1], ':') AS parts,
        b.block_name AS block_name,
        coalesce(nullif(regexp_extract(r.object_id, '_(\d+)_\d+$', 1), ''), '2') AS part_no
    FROM dim_learner_last_response AS r
    LEFT JOIN dim_course_blocks AS b ON b.block_id = r.problem_id
)
SELECT
    org,
    course_key,
    problem_id,
    regexp_extract(problem_id, 'block@([^+/]+)$', 1) AS block_id_short,
    actor_id,
    success,
    attempts,
    concat(
        lpad(parts[1], 2, chr(8)), ':', lpad(parts[2], 2, chr(8)), ':', lpad(parts[3], 2, chr(8)), '_',
        CAST(CAST(part_no AS INTEGER) - 1 AS VARCHAR)
    ) AS problem_number,
    concat(
        lpad(parts[1], 2, chr(8)), ':', lpad(parts[2], 2, chr(8)), ':', lpad(parts[3], 2, chr(8)), '_',
        CAST(CAST(part_no AS INTEGER) - 1 AS VARCHAR), ' - ', block_name
    ) AS problem_name_location
FROM numbered
