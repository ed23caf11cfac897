/* ---
description: >
  Every enrollment action with the course's name and run and, when personal data is stored, the
  learner's username, name and email (Aspects' fact_enrollments). No de-duplication: a learner who
  enrolls twice has two rows. Difference from Aspects: a learner without personal data or a course
  without an overview has NULL name fields, where Aspects' ClickHouse join gives ''.
grain: one row per enrollment statement
materialization: view
columns:
  - {name: emission_time, type: TIMESTAMP, description: "Time of the enrollment action"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: course_name, type: VARCHAR, description: "Course display name"}
  - {name: course_run, type: VARCHAR, description: "Course run"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: enrollment_mode, type: VARCHAR, description: "Mode (track)"}
  - {name: enrollment_status, type: VARCHAR, description: "registered or unregistered"}
  - {name: username, type: VARCHAR, description: "Username (personal data)"}
  - {name: name, type: VARCHAR, description: "Full name (personal data)"}
  - {name: email, type: VARCHAR, description: "Email (personal data)"}
--- */
SELECT
    e.emission_time AS emission_time,
    e.org AS org,
    e.course_key AS course_key,
    c.course_name AS course_name,
    c.course_run AS course_run,
    e.actor_id AS actor_id,
    e.enrollment_mode AS enrollment_mode,
    e.enrollment_status AS enrollment_status,
    u.username AS username,
    u.name AS name,
    u.email AS email
FROM enrollment_events AS e
LEFT JOIN dim_course_names AS c ON c.course_key = e.course_key
LEFT JOIN dim_user_pii AS u ON u.external_user_id = e.actor_id
