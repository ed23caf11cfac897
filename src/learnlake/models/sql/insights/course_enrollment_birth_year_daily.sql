/* ---
description: >
  Insights' course_enrollment_birth_year_daily: enrollment counts by the profile's year_of_birth (NULL
  when unknown), for the last day of the report only, as Insights.
grain: one row per (course_id, date, birth_year)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: date, type: DATE, description: "Last day of the report"}
  - {name: birth_year, type: BIGINT, description: "Year of birth, NULL when unknown"}
  - {name: count, type: BIGINT, description: "Learners enrolled at the end of the day"}
  - {name: cumulative_count, type: BIGINT, description: "Learners with an enrollment event on or before the day"}
--- */
SELECT
    e.course_id AS course_id,
    e."date" AS "date",
    CAST(nullif(regexp_extract(CAST(p.year_of_birth AS VARCHAR), '^[0-9]{1,4}', 0), '') AS BIGINT) AS birth_year,
    sum(e.at_end) AS "count",
    count(*) AS cumulative_count
FROM insights_course_enrollment AS e
CROSS JOIN insights_settings AS s
LEFT JOIN auth_userprofile AS p ON CAST(p.user_id AS VARCHAR) = CAST(e.user_id AS VARCHAR)
WHERE e."date" = CAST(s.report_end - INTERVAL 1 DAY AS DATE)
GROUP BY e.course_id, e."date", CAST(nullif(regexp_extract(CAST(p.year_of_birth AS VARCHAR), '^[0-9]{1,4}', 0), '') AS BIGINT)
