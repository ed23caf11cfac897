/* ---
description: >
  When each learner last visited each course (Aspects' dim_learner_last_course_visit): the latest
  navigation statement. Difference from Aspects: Aspects keys this table per monthly partition, so a
  learner can have one row per month (and dashboards then test "more than 7 days ago" on every row);
  here there is exactly one row per learner and course, the true last visit.
grain: one row per (org, course_key, actor_id)
materialization: table
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: last_visited, type: TIMESTAMP, description: "Time of the latest navigation statement"}
--- */
SELECT org, course_key, actor_id, max(emission_time) AS last_visited
FROM navigation_events
GROUP BY org, course_key, actor_id
