/* ---
description: >
  Each learner's last answer to each problem (Aspects' dim_learner_last_response): among the learner's
  evaluated statements for the problem, the one with the highest attempt number (ties: the earliest),
  with its success, score and response, the problem's name and place in the course, and an HTML link
  to the problem.
grain: one row per (org, course_key, problem_id, actor_id)
materialization: table
unique_key: [org, course_key, problem_id, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: object_id, type: VARCHAR, description: "Problem IRI"}
  - {name: problem_id, type: VARCHAR, description: "Problem usage key"}
  - {name: problem_link, type: VARCHAR, description: "HTML anchor to the problem labelled with its location and name"}
  - {name: display_name_with_location, type: VARCHAR, description: "'s:ss:u - problem name'"}
  - {name: graded, type: BOOLEAN, description: "Graded problem"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: course_order, type: INTEGER, description: "Position of the problem in the course"}
  - {name: interaction_type, type: VARCHAR, description: "cmi.interaction type"}
  - {name: attempts, type: INTEGER, description: "Attempt number of the last response"}
  - {name: success, type: BOOLEAN, description: "Whether the last response was correct"}
  - {name: emission_time, type: TIMESTAMP, description: "Time of the last response"}
  - {name: responses, type: VARCHAR, description: "The last response"}
  - {name: scaled_score, type: DOUBLE, description: "Score of the last response (0 to 1)"}
--- */
WITH ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY org, course_key, problem_id, actor_id ORDER BY attempts DESC, emission_time, event_id
        ) AS rn
    FROM problem_events
    WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
)
SELECT
    r.org AS org,
    r.course_key AS course_key,
    r.object_id AS object_id,
    r.problem_id AS problem_id,
    concat('<a href="', r.object_id, '" target="_blank">', b.display_name_with_location, '</a>') AS problem_link,
    b.display_name_with_location AS display_name_with_location,
    b.graded AS graded,
    r.actor_id AS actor_id,
    b.course_order AS course_order,
    r.interaction_type AS interaction_type,
    r.attempts AS attempts,
    r.success AS success,
    r.emission_time AS emission_time,
    r.responses AS responses,
    r.scaled_score AS scaled_score
FROM ranked AS r
LEFT JOIN dim_course_blocks AS b ON b.block_id = r.problem_id
WHERE r.rn = 1
