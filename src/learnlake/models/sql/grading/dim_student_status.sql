/* ---
description: >
  Every enrolled learner's standing in a course (Aspects' dim_student_status), starting from the latest
  enrollment: approving_state is the latest pass/fail state, or `failed` when there is none (as Aspects);
  course_grade is the latest course grade; grade_bucket is its 10-point bucket (`0-9%` ... `90-100%`).
  Difference from Aspects: a learner with no grade yet has course_grade NULL and grade_bucket
  `no grade`, where Aspects' ClickHouse join reports 0 and `0-9%`. At-risk and active are separate models
  (at_risk_learners, active_learners).
grain: one row per (org, course_key, actor_id) with an enrollment
materialization: view
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: course_name, type: VARCHAR, description: "Course display name"}
  - {name: course_run, type: VARCHAR, description: "Course run"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: approving_state, type: VARCHAR, description: "passed or failed (failed when no state yet)"}
  - {name: enrollment_mode, type: VARCHAR, description: "Current mode"}
  - {name: enrollment_status, type: VARCHAR, description: "registered or unregistered"}
  - {name: course_grade, type: DOUBLE, description: "Latest course grade (NULL when none)"}
  - {name: grade_bucket, type: VARCHAR, description: "10-point bucket of the grade, or 'no grade'"}
  - {name: enrolled_at, type: TIMESTAMP, description: "Time of the latest enrollment action"}
  - {name: username, type: VARCHAR, description: "Username (personal data)"}
  - {name: name, type: VARCHAR, description: "Full name (personal data)"}
  - {name: email, type: VARCHAR, description: "Email (personal data)"}
--- */
SELECT
    e.org AS org,
    e.course_key AS course_key,
    c.course_name AS course_name,
    c.course_run AS course_run,
    e.actor_id AS actor_id,
    coalesce(s.approving_state, 'failed') AS approving_state,
    e.enrollment_mode AS enrollment_mode,
    e.enrollment_status AS enrollment_status,
    g.course_grade AS course_grade,
    CASE
        WHEN g.course_grade IS NULL THEN 'no grade'
        WHEN g.course_grade >= 0.9 THEN '90-100%'
        ELSE concat(
            CAST(CAST(floor(g.course_grade * 10) * 10 AS INTEGER) AS VARCHAR), '-',
            CAST(CAST(floor(g.course_grade * 10) * 10 + 9 AS INTEGER) AS VARCHAR), '%'
        )
    END AS grade_bucket,
    e.emission_time AS enrolled_at,
    u.username AS username,
    u.name AS name,
    u.email AS email
FROM dim_most_recent_enrollment AS e
LEFT JOIN dim_learner_most_recent_course_state AS s
    ON s.org = e.org AND s.course_key = e.course_key AND s.actor_id = e.actor_id
LEFT JOIN dim_learner_most_recent_course_grade AS g
    ON g.org = e.org AND g.course_key = e.course_key AND g.actor_id = e.actor_id
LEFT JOIN dim_course_names AS c ON c.course_key = e.course_key
LEFT JOIN dim_user_pii AS u ON u.external_user_id = e.actor_id
