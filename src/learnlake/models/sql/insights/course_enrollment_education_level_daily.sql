/* ---
description: >
  Insights' course_enrollment_education_level_daily: enrollment counts by education level for the last
  day of the report only. Profile codes map to el primary, jhs junior_secondary, hs secondary, a
  associates, b bachelors, m masters, p/p_se/p_oth doctorate, none, other; anything else, '' and no
  profile give NULL.
grain: one row per (course_id, date, education_level)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: date, type: DATE, description: "Last day of the report"}
  - {name: education_level, type: VARCHAR, description: "Education level name, NULL when unknown"}
  - {name: count, type: BIGINT, description: "Learners enrolled at the end of the day"}
  - {name: cumulative_count, type: BIGINT, description: "Learners with an enrollment event on or before the day"}
--- */
WITH rows_ AS (
    SELECT
        e.course_id AS course_id,
        e."date" AS "date",
        e.at_end AS at_end,
        CASE p.level_of_education
            WHEN 'el' THEN 'primary'
            WHEN 'jhs' THEN 'junior_secondary'
            WHEN 'hs' THEN 'secondary'
            WHEN 'a' THEN 'associates'
            WHEN 'b' THEN 'bachelors'
            WHEN 'm' THEN 'masters'
            WHEN 'p' THEN 'doctorate'
            WHEN 'p_se' THEN 'doctorate'
            WHEN 'p_oth' THEN 'doctorate'
            WHEN 'none' THEN 'none'
            WHEN 'other' THEN 'other'
        END AS education_level
    FROM insights_course_enrollment AS e
    CROSS JOIN insights_settings AS s
    LEFT JOIN auth_userprofile AS p ON CAST(p.user_id AS VARCHAR) = CAST(e.user_id AS VARCHAR)
    WHERE e."date" = CAST(s.report_end - INTERVAL 1 DAY AS DATE)
)
SELECT course_id, "date", education_level, sum(at_end) AS "count", count(*) AS cumulative_count
FROM rows_
GROUP BY course_id, "date", education_level
