/* ---
description: >
  Insights' course_enrollment_gender_daily: the daily enrollment rows by the learner's auth_userprofile
  gender ('' and NULL, and learners without a profile, become NULL); counts as in course_enrollment_daily.
grain: one row per (course_id, date, gender)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: date, type: DATE, description: "Day"}
  - {name: gender, type: VARCHAR, description: "Gender code from the profile, NULL when unknown"}
  - {name: count, type: BIGINT, description: "Learners enrolled at the end of the day"}
  - {name: cumulative_count, type: BIGINT, description: "Learners with an enrollment event on or before the day"}
--- */
SELECT
    e.course_id AS course_id,
    e."date" AS "date",
    nullif(p.gender, '') AS gender,
    sum(e.at_end) AS "count",
    count(*) AS cumulative_count
FROM insights_course_enrollment AS e
LEFT JOIN auth_userprofile AS p ON CAST(p.user_id AS VARCHAR) = CAST(e.user_id AS VARCHAR)
GROUP BY e.course_id, e."date", nullif(p.gender, '')
