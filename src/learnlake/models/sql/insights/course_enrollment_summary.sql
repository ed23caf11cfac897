/* ---
description: >
  Insights' course_enrollment_summary: one row per learner and course, from the enrollment events of the
  interval. Only an activation while unenrolled or a mode change while enrolled sets the current mode and
  records when verified and credit were first seen; the first such activation gives the first mode and
  time (the mode carried by a deactivation is not used here). last_unenrollment_time is the last
  enrolled-to-unenrolled change. Learners with no such activation get no row. end_time = report end.
grain: one row per (course_id, user_id)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: user_id, type: BIGINT, description: "Learner"}
  - {name: current_enrollment_mode, type: VARCHAR, description: "Mode of the latest activation or mode change"}
  - {name: current_enrollment_is_active, type: BOOLEAN, description: "Enrolled at the end"}
  - {name: first_enrollment_mode, type: VARCHAR, description: "Mode of the first activation"}
  - {name: first_enrollment_time, type: TIMESTAMP, description: "Time of the first activation"}
  - {name: last_unenrollment_time, type: TIMESTAMP, description: "Time of the last unenrollment"}
  - {name: first_verified_enrollment_time, type: TIMESTAMP, description: "First time the mode became verified"}
  - {name: first_credit_enrollment_time, type: TIMESTAMP, description: "First time the mode became credit"}
  - {name: end_time, type: TIMESTAMP, description: "End of the report interval"}
--- */
WITH flagged AS (
    SELECT
        *,
        (action = 'activated' AND NOT enrolled_before) OR (action = 'mode_changed' AND enrolled_before) AS qualifies
    FROM insights_enrollment_events
),
agg AS (
    SELECT
        course_id,
        user_id,
        min(CASE WHEN qualifies AND action = 'activated' THEN seq END) AS first_seq,
        max(CASE WHEN qualifies THEN seq END) AS current_seq,
        max(seq) AS last_seq,
        min(CASE WHEN qualifies AND mode = 'verified' THEN "time" END) AS first_verified_enrollment_time,
        min(CASE WHEN qualifies AND mode = 'credit' THEN "time" END) AS first_credit_enrollment_time,
        max(CASE WHEN action = 'deactivated' AND enrolled_before THEN "time" END) AS last_unenrollment_time
    FROM flagged
    GROUP BY course_id, user_id
)
SELECT
    a.course_id AS course_id,
    a.user_id AS user_id,
    c.mode AS current_enrollment_mode,
    l.enrolled_after AS current_enrollment_is_active,
    f.mode AS first_enrollment_mode,
    f."time" AS first_enrollment_time,
    a.last_unenrollment_time AS last_unenrollment_time,
    a.first_verified_enrollment_time AS first_verified_enrollment_time,
    a.first_credit_enrollment_time AS first_credit_enrollment_time,
    CAST(s.report_end AS TIMESTAMP) AS end_time
FROM agg AS a
CROSS JOIN insights_settings AS s
INNER JOIN flagged AS f ON f.course_id = a.course_id AND f.user_id = a.user_id AND f.seq = a.first_seq
INNER JOIN flagged AS c ON c.course_id = a.course_id AND c.user_id = a.user_id AND c.seq = a.current_seq
INNER JOIN flagged AS l ON l.course_id = a.course_id AND l.user_id = a.user_id AND l.seq = a.last_seq
