/* ---
description: >
  Learners active in each course: whose latest visit (navigation) is within `models.active_days` days
  (default 7) of `as_of` (Aspects' "active within the last 7 days", as a model).
grain: one row per (org, course_key, actor_id) active
materialization: view
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: last_visited, type: TIMESTAMP, description: "Latest visit"}
--- */
SELECT v.org AS org, v.course_key AS course_key, v.actor_id AS actor_id, v.last_visited AS last_visited
FROM dim_learner_last_course_visit AS v
CROSS JOIN model_settings AS m
WHERE date_diff('second', v.last_visited, m.as_of) <= m.active_days * 86400
    AND v.last_visited <= m.as_of
