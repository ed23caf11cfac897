/* ---
description: >
  Last responses to graded problems with their subsection (Aspects' dim_subsection_problem_results):
  the subsection's short block id, padded number and name, and the response's success and score.
grain: one row per (course_key, subsection, actor_id, problem_id)
materialization: view
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: block_id_short, type: VARCHAR, description: "Short block id of the subsection"}
  - {name: subsection_block_id, type: VARCHAR, description: "Subsection usage key"}
  - {name: subsection_number, type: VARCHAR, description: "'s:ss:0', 0x08-padded"}
  - {name: subsection_with_name, type: VARCHAR, description: "'s:ss:0 - subsection name'"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: problem_id, type: VARCHAR, description: "Problem usage key"}
  - {name: problem_name_location, type: VARCHAR, description: "'s:ss:u - problem name'"}
  - {name: success, type: BOOLEAN, description: "Last response correct"}
  - {name: scaled_score, type: DOUBLE, description: "Last response score"}
--- */
SELECT
    r.org AS org,
    r.course_key AS course_key,
    regexp_extract(b.subsection_block_id, 'block@([^+/]+)$', 1) AS block_id_short,
    b.subsection_block_id AS subsection_block_id,
    concat(
        lpad(string_split(b.subsection_number, ':')[1], 2, chr(8)), ':',
        lpad(string_split(b.subsection_number, ':')[2], 2, chr(8)), ':0'
    ) AS subsection_number,
    b.subsection_with_name AS subsection_with_name,
    r.actor_id AS actor_id,
    r.problem_id AS problem_id,
    r.display_name_with_location AS problem_name_location,
    r.success AS success,
    r.scaled_score AS scaled_score
FROM dim_learner_last_response AS r
INNER JOIN dim_course_blocks AS b ON b.block_id = r.problem_id
WHERE r.graded AND b.subsection_block_id IS NOT NULL
