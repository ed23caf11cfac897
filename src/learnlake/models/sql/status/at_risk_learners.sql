/* ---
description: >
  Learners at risk in each course, as a model rather than dashboard SQL (Aspects' at-risk rule): failing
  (approving_state `failed`, which includes having no grade state yet), still enrolled (latest
  enrollment action is `registered`), and whose latest visit (navigation) is more than
  `models.at_risk_days` days (default 7) before `as_of`. Learners who never visited are not listed (as in
  Aspects). Difference from Aspects: the day test is applied to each learner's latest visit; Aspects
  applies it to every stored visit row before taking the max, so a learner with an old row in another
  monthly partition could be flagged despite a recent visit.
grain: one row per (org, course_key, actor_id) at risk
materialization: view
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: course_name, type: VARCHAR, description: "Course display name"}
  - {name: course_run, type: VARCHAR, description: "Course run"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: approving_state, type: VARCHAR, description: "Always failed"}
  - {name: enrollment_mode, type: VARCHAR, description: "Current mode"}
  - {name: enrollment_status, type: VARCHAR, description: "Always registered"}
  - {name: course_grade, type: DOUBLE, description: "Latest course grade (NULL when none)"}
  - {name: grade_bucket, type: VARCHAR, description: "10-point grade bucket"}
  - {name: enrolled_at, type: TIMESTAMP, description: "Time of the latest enrollment action"}
  - {name: last_visited, type: TIMESTAMP, description: "Latest visit"}
  - {name: days_since_visit, type: BIGINT, description: "Whole days between the latest visit and as_of"}
  - {name: username, type: VARCHAR, description: "Username (personal data)"}
  - {name: name, type: VARCHAR, description: "Full name (personal data)"}
  - {name: email, type: VARCHAR, description: "Email (personal data)"}
--- */
SELECT
    s.org AS org, s.course_key AS course_key, s.course_name AS course_name, s.course_run AS course_run,
    s.actor_id AS actor_id, s.approving_state AS approving_state, s.enrollment_mode AS enrollment_mode,
    s.enrollment_status AS enrollment_status, s.course_grade AS course_grade, s.grade_bucket AS grade_bucket,
    s.enrolled_at AS enrolled_at, v.last_visited AS last_visited,
    CAST(floor(date_diff('second', v.last_visited, m.as_of) / 86400) AS BIGINT) AS days_since_visit,
    s.username AS username, s.name AS name, s.email AS email
FROM dim_student_status AS s
INNER JOIN dim_learner_last_course_visit AS v
    ON v.org = s.org AND v.course_key = s.course_key AND v.actor_id = s.actor_id
CROSS JOIN model_settings AS m
WHERE s.approving_state = 'failed'
    AND s.enrollment_status = 'registered'
    AND date_diff('second', v.last_visited, m.as_of) > m.at_risk_days * 86400
