/* ---
description: >
  Insights' weekly learner engagement summary: per course and learner with any module_engagement row in
  the 7 days before the report end (model_settings interval end, else the day after as_of): problem
  attempts, distinct problems attempted and completed, attempts per completed problem (+infinity when
  none was completed), distinct videos viewed, discussion contributions and distinct active days.
grain: one row per (course_id, username)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: username, type: VARCHAR, description: "Learner"}
  - {name: start_date, type: DATE, description: "First day of the week"}
  - {name: end_date, type: DATE, description: "Day after the week"}
  - {name: problem_attempts, type: BIGINT, description: "Problem submissions"}
  - {name: problems_attempted, type: BIGINT, description: "Distinct problems submitted"}
  - {name: problems_completed, type: BIGINT, description: "Distinct problems answered correctly"}
  - {name: problem_attempts_per_completed, type: DOUBLE, description: "problem_attempts / problems_completed; +inf when none completed"}
  - {name: videos_viewed, type: BIGINT, description: "Distinct videos played"}
  - {name: discussion_contributions, type: BIGINT, description: "Forum posts, responses and comments"}
  - {name: days_active, type: BIGINT, description: "Distinct days with a row"}
--- */
WITH week AS (
    SELECT
        m."date" AS "date",
        m.course_id AS course_id,
        m.username AS username,
        m.entity_type AS entity_type,
        m.entity_id AS entity_id,
        m.event AS event,
        m."count" AS "count",
        CAST(s.report_end - INTERVAL 7 DAY AS DATE) AS start_date,
        s.report_end AS end_date
    FROM module_engagement AS m
    CROSS JOIN insights_settings AS s
    WHERE m."date" >= CAST(s.report_end - INTERVAL 7 DAY AS DATE) AND m."date" < s.report_end
),
agg AS (
    SELECT
        course_id,
        username,
        min(start_date) AS start_date,
        min(end_date) AS end_date,
        sum(CASE WHEN entity_type = 'problem' AND event = 'attempted' THEN "count" ELSE 0 END) AS problem_attempts,
        count(DISTINCT CASE WHEN entity_type = 'problem' AND event = 'attempted' THEN entity_id END)
            AS problems_attempted,
        count(DISTINCT CASE WHEN entity_type = 'problem' AND event = 'completed' THEN entity_id END)
            AS problems_completed,
        count(DISTINCT CASE WHEN entity_type = 'video' AND event = 'viewed' THEN entity_id END) AS videos_viewed,
        sum(CASE WHEN entity_type = 'discussion' AND event = 'contributed' THEN "count" ELSE 0 END)
            AS discussion_contributions,
        count(DISTINCT "date") AS days_active
    FROM week
    GROUP BY course_id, username
)
SELECT
    course_id,
    username,
    start_date,
    end_date,
    problem_attempts,
    problems_attempted,
    problems_completed,
    CASE
        WHEN problems_completed = 0 THEN CAST('inf' AS DOUBLE)
        ELSE CAST(problem_attempts AS DOUBLE) / problems_completed
    END AS problem_attempts_per_completed,
    videos_viewed,
    discussion_contributions,
    days_active
FROM agg
