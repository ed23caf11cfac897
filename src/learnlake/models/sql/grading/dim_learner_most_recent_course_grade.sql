/* ---
description: >
  Each learner's current course grade (Aspects' dim_learner_most_recent_course_grade): the latest
  course-level grading statement (object is the course) per learner and course, ignoring `passed`
  statements with a score of 0 (they carry no grade). course_grade is its scaled score.
grain: one row per (org, course_key, actor_id)
materialization: table
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: course_grade, type: DOUBLE, description: "Latest course grade (0 to 1)"}
  - {name: emission_time, type: TIMESTAMP, description: "Time of that grade"}
--- */
WITH ranked AS (
    SELECT
        org, course_key, actor_id, scaled_score, emission_time,
        row_number() OVER (PARTITION BY org, course_key, actor_id ORDER BY emission_time DESC, event_id DESC) AS rn
    FROM grading_events
    WHERE object_id LIKE '%/course/%'
        AND NOT (verb_id = 'http://adlnet.gov/expapi/verbs/passed' AND scaled_score = 0)
)
SELECT org, course_key, actor_id, scaled_score AS course_grade, emission_time
FROM ranked
WHERE rn = 1
