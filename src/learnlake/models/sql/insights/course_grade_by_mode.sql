/* ---
description: >
  Insights' course_grade_by_mode: passing learners per course and enrollment mode. A learner with a row in
  grades_persistentcoursegrade is attributed to the mode of their daily enrollment row on the latest day
  on or before the grade's modified date, and passes when passed_timestamp is set and letter_grade is not
  empty. Every (course, mode) seen on any day of insights_course_enrollment gets a row (0 when nobody passed).
grain: one row per (course_id, mode)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: mode, type: VARCHAR, description: "Enrollment mode"}
  - {name: passing_users, type: BIGINT, description: "Passing learners attributed to the mode"}
--- */
WITH grades AS (
    SELECT
        CAST(g.course_id AS VARCHAR) AS course_id,
        CAST(g.user_id AS VARCHAR) AS user_id,
        CAST(CAST(nullif(substr(replace(CAST(g.modified AS VARCHAR), 'T', ' '), 1, 19), '') AS TIMESTAMP) AS DATE) AS modified_date,
        CASE
            WHEN coalesce(CAST(g.passed_timestamp AS VARCHAR), '') <> '' AND coalesce(CAST(g.letter_grade AS VARCHAR), '') <> ''
                THEN 1
            ELSE 0
        END AS passing
    FROM grades_persistentcoursegrade AS g
),
matched AS (
    SELECT
        g.course_id AS course_id,
        g.user_id AS user_id,
        max(g.passing) AS passing,
        max(e."date") AS matched_date
    FROM grades AS g
    INNER JOIN insights_course_enrollment AS e
        ON e.course_id = g.course_id AND CAST(e.user_id AS VARCHAR) = g.user_id
    WHERE e."date" <= g.modified_date
    GROUP BY g.course_id, g.user_id
),
passing AS (
    SELECT e.course_id AS course_id, e.mode AS mode, sum(m.passing) AS passing_users
    FROM matched AS m
    INNER JOIN insights_course_enrollment AS e
        ON e.course_id = m.course_id AND CAST(e.user_id AS VARCHAR) = m.user_id AND e."date" = m.matched_date
    GROUP BY e.course_id, e.mode
),
modes AS (
    SELECT DISTINCT course_id, mode FROM insights_course_enrollment
)
SELECT
    m.course_id AS course_id,
    m.mode AS mode,
    CAST(coalesce(p.passing_users, 0) AS BIGINT) AS passing_users
FROM modes AS m
LEFT JOIN passing AS p ON p.course_id = m.course_id AND p.mode = m.mode
