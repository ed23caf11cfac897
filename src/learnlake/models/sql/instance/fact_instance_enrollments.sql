/* ---
description: Enrollment actions per day, course, mode and status (Aspects' fact_instance_enrollments).
grain: one row per (emission_day, course_key, enrollment_mode, enrollment_status)
materialization: incremental
partition_by: emission_day
columns:
  - {name: emission_day, type: DATE, description: "UTC day"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: enrollment_mode, type: VARCHAR, description: "Mode"}
  - {name: enrollment_status, type: VARCHAR, description: "registered or unregistered"}
  - {name: course_enrollment_mode_status_cnt, type: BIGINT, description: "Number of enrollment actions"}
--- */
SELECT
    event_date AS emission_day,
    org,
    course_key,
    enrollment_mode,
    enrollment_status,
    count(*) AS course_enrollment_mode_status_cnt
FROM enrollment_events
GROUP BY 1, 2, 3, 4, 5
