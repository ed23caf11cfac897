/* ---
description: >
  Insights' student engagement CSV reports (daily, weekly and whole-interval): one row per learner
  enrolled at the end of the bucket's last day (insights_course_enrollment), with their engagement counters (zeros
  and an empty URL when inactive), email from auth_user and cohort name (course_groups_courseusergroup,
  '' when none). Activity by a learner not enrolled on the bucket date is not reported. Insights wrote one
  file per course and bucket (<sha1(course_id)>/student_engagement_<type>_<date>.csv, rows sorted by
  username): select by course_id, interval_type and end_date and order by username.
grain: one row per (interval_type, end_date, course_id, username)
materialization: table
columns:
  - {name: interval_type, type: VARCHAR, description: "daily, weekly or all"}
  - {name: end_date, type: DATE, description: "Bucket date (the report's Date column)"}
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: username, type: VARCHAR, description: "Learner"}
  - {name: email, type: VARCHAR, description: "Email from auth_user"}
  - {name: cohort, type: VARCHAR, description: "Cohort name in the course, '' when none"}
  - {name: days_active, type: BIGINT, description: "Was Active / Days Active This Week / Days Active"}
  - {name: problems_attempted, type: BIGINT, description: "Unique Problems Attempted"}
  - {name: problem_attempts, type: BIGINT, description: "Total Problem Attempts"}
  - {name: problems_correct, type: BIGINT, description: "Unique Problems Correct"}
  - {name: videos_played, type: BIGINT, description: "Unique Videos Played"}
  - {name: forum_posts, type: BIGINT, description: "Discussion Posts"}
  - {name: forum_responses, type: BIGINT, description: "Discussion Responses"}
  - {name: forum_comments, type: BIGINT, description: "Discussion Comments"}
  - {name: textbook_pages_viewed, type: BIGINT, description: "Textbook Pages Viewed"}
  - {name: last_subsection_viewed, type: VARCHAR, description: "URL of Last Subsection Viewed"}
--- */
WITH buckets AS (
    SELECT 'daily' AS interval_type, c."date" AS end_date
    FROM insights_calendar AS c
    UNION ALL
    SELECT 'weekly' AS interval_type, c."date" AS end_date
    FROM insights_calendar AS c
    CROSS JOIN insights_settings AS s
    WHERE date_diff('day', c."date", CAST(s.report_end - INTERVAL 1 DAY AS DATE)) % 7 = 0
    UNION ALL
    SELECT 'all' AS interval_type, CAST(s.report_end - INTERVAL 1 DAY AS DATE) AS end_date
    FROM insights_settings AS s
),
enrolled AS (
    SELECT
        b.interval_type AS interval_type,
        b.end_date AS end_date,
        e.course_id AS course_id,
        CAST(u.username AS VARCHAR) AS username,
        CAST(u.email AS VARCHAR) AS email,
        CAST(e.user_id AS VARCHAR) AS user_id
    FROM buckets AS b
    INNER JOIN insights_course_enrollment AS e ON e."date" = b.end_date
    INNER JOIN auth_user AS u ON CAST(u.id AS VARCHAR) = CAST(e.user_id AS VARCHAR)
    WHERE e.at_end = 1
),
cohorts AS (
    SELECT CAST(m.user_id AS VARCHAR) AS user_id, CAST(g.course_id AS VARCHAR) AS course_id, min(CAST(g.name AS VARCHAR)) AS cohort
    FROM course_groups_courseusergroup_users AS m
    INNER JOIN course_groups_courseusergroup AS g
        ON CAST(g.id AS VARCHAR) = CAST(m.courseusergroup_id AS VARCHAR)
    WHERE g.group_type = 'cohort'
    GROUP BY CAST(m.user_id AS VARCHAR), CAST(g.course_id AS VARCHAR)
)
SELECT
    n.interval_type AS interval_type,
    n.end_date AS end_date,
    n.course_id AS course_id,
    n.username AS username,
    coalesce(n.email, '') AS email,
    coalesce(c.cohort, '') AS cohort,
    coalesce(a.days_active, 0) AS days_active,
    coalesce(a.problems_attempted, 0) AS problems_attempted,
    coalesce(a.problem_attempts, 0) AS problem_attempts,
    coalesce(a.problems_correct, 0) AS problems_correct,
    coalesce(a.videos_played, 0) AS videos_played,
    coalesce(a.forum_posts, 0) AS forum_posts,
    coalesce(a.forum_responses, 0) AS forum_responses,
    coalesce(a.forum_comments, 0) AS forum_comments,
    coalesce(a.textbook_pages_viewed, 0) AS textbook_pages_viewed,
    coalesce(a.last_subsection_viewed, '') AS last_subsection_viewed
FROM enrolled AS n
LEFT JOIN cohorts AS c ON c.user_id = n.user_id AND c.course_id = n.course_id
LEFT JOIN insights_engagement_activity AS a
    ON a.interval_type = n.interval_type AND a.end_date = n.end_date AND a.course_id = n.course_id
    AND a.username = n.username
