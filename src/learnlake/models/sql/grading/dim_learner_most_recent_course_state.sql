/* ---
description: >
  Each learner's current pass/fail state in a course (Aspects' dim_learner_most_recent_course_state):
  the latest grading statement with a non-empty approving_state (`passed` or `failed`).
grain: one row per (org, course_key, actor_id)
materialization: table
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: approving_state, type: VARCHAR, description: "passed or failed"}
  - {name: emission_time, type: TIMESTAMP, description: "Time of that state"}
--- */
WITH ranked AS (
    SELECT
        org, course_key, actor_id, approving_state, emission_time,
        row_number() OVER (PARTITION BY org, course_key, actor_id ORDER BY emission_time DESC, event_id DESC) AS rn
    FROM grading_events
    WHERE approving_state IN ('passed', 'failed')
)
SELECT org, course_key, actor_id, approving_state, emission_time
FROM ranked
WHERE rn = 1
