/* ---
description: >
  Insights' course_meta_summary_enrollment: per course and mode on the last day of the report, learners
  enrolled (count), in the mode bucket (cumulative_count), the change in count over 7 days (count minus
  the count 7 days earlier, 0 when there was no row then) and passing learners (course_grade_by_mode,
  NULL when none matched). learnlake has no course-discovery catalog: the six catalog columns are NULL, as
  in Insights runs without --enable-course-catalog.
grain: one row per (course_id, enrollment_mode)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: catalog_course_title, type: VARCHAR, description: "Catalog title (NULL: no catalog)"}
  - {name: catalog_course, type: VARCHAR, description: "Catalog course (NULL: no catalog)"}
  - {name: start_time, type: TIMESTAMP, description: "Catalog start (NULL: no catalog)"}
  - {name: end_time, type: TIMESTAMP, description: "Catalog end (NULL: no catalog)"}
  - {name: pacing_type, type: VARCHAR, description: "Catalog pacing (NULL: no catalog)"}
  - {name: availability, type: VARCHAR, description: "Catalog availability (NULL: no catalog)"}
  - {name: enrollment_mode, type: VARCHAR, description: "Enrollment mode"}
  - {name: count, type: BIGINT, description: "Learners enrolled at the end of the last day"}
  - {name: cumulative_count, type: BIGINT, description: "Learners in the mode bucket on the last day"}
  - {name: count_change_7_days, type: BIGINT, description: "count minus the count 7 days earlier"}
  - {name: passing_users, type: BIGINT, description: "Passing learners in this mode"}
--- */
WITH last_day AS (
    SELECT CAST(report_end - INTERVAL 1 DAY AS DATE) AS d FROM insights_settings
),
today AS (
    SELECT m.course_id AS course_id, m.mode AS mode, m."count" AS "count", m.cumulative_count AS cumulative_count
    FROM course_enrollment_mode_daily AS m
    INNER JOIN last_day AS l ON m."date" = l.d
),
week_ago AS (
    SELECT m.course_id AS course_id, m.mode AS mode, m."count" AS "count"
    FROM course_enrollment_mode_daily AS m
    INNER JOIN last_day AS l ON m."date" = CAST(l.d - INTERVAL 7 DAY AS DATE)
)
SELECT
    t.course_id AS course_id,
    CAST(NULL AS VARCHAR) AS catalog_course_title,
    CAST(NULL AS VARCHAR) AS catalog_course,
    CAST(NULL AS TIMESTAMP) AS start_time,
    CAST(NULL AS TIMESTAMP) AS end_time,
    CAST(NULL AS VARCHAR) AS pacing_type,
    CAST(NULL AS VARCHAR) AS availability,
    t.mode AS enrollment_mode,
    t."count" AS "count",
    t.cumulative_count AS cumulative_count,
    t."count" - coalesce(w."count", 0) AS count_change_7_days,
    g.passing_users AS passing_users
FROM today AS t
LEFT JOIN week_ago AS w ON w.course_id = t.course_id AND w.mode = t.mode
LEFT JOIN course_grade_by_mode AS g ON g.course_id = t.course_id AND g.mode = t.mode
