/* ---
description: >
  Insights' weekly course activity: distinct learners (context.user_id) per course, ISO week (Monday to
  Monday) and label. ACTIVE = any event except task-sourced and enrollment events; ATTEMPTED_PROBLEM =
  server problem_check; POSTED_FORUM = server edx.forum.*.created; PLAYED_VIDEO = browser or mobile
  play_video. Course from context, else from the URL. Only whole weeks are counted: from the Monday of the
  week holding model_settings.interval_start up to, not including, the Monday of the week holding
  interval_end (Insights' --end-date/--weeks window: give interval_start = end-date minus the weeks).
grain: one row per (course_id, interval_start, label) with at least one learner
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: interval_start, type: TIMESTAMP, description: "Monday 00:00 of the week"}
  - {name: interval_end, type: TIMESTAMP, description: "Next Monday 00:00"}
  - {name: label, type: VARCHAR, description: "ACTIVE, ATTEMPTED_PROBLEM, POSTED_FORUM or PLAYED_VIDEO"}
  - {name: count, type: BIGINT, description: "Distinct learners"}
--- */
WITH ev AS (
    SELECT
        coalesce(e.context_course_id, CASE WHEN NOT e.context_course_invalid THEN e.url_course_id END) AS course_id,
        e.user_id AS user_id,
        e.event_type AS event_type,
        e.event_source AS event_source,
        CAST(date_trunc('week', e.event_date) AS DATE) AS week_start
    FROM insights_events AS e
    CROSS JOIN insights_settings AS s
    WHERE e.user_id IS NOT NULL AND e.user_id <> 0
        AND (s.interval_start IS NULL OR e.event_date >= CAST(date_trunc('week', s.interval_start) AS DATE))
        AND (s.interval_end IS NULL OR e.event_date < CAST(date_trunc('week', s.interval_end) AS DATE))
        AND coalesce(e.event_source, '') <> 'task'
        AND NOT starts_with(coalesce(e.event_type, ''), 'edx.course.enrollment.')
),
labelled AS (
    SELECT course_id, user_id, week_start, 'ACTIVE' AS label FROM ev
    UNION ALL
    SELECT course_id, user_id, week_start, 'ATTEMPTED_PROBLEM' AS label FROM ev
    WHERE event_source = 'server' AND event_type = 'problem_check'
    UNION ALL
    SELECT course_id, user_id, week_start, 'POSTED_FORUM' AS label FROM ev
    WHERE event_source = 'server' AND starts_with(event_type, 'edx.forum.') AND ends_with(event_type, '.created')
    UNION ALL
    SELECT course_id, user_id, week_start, 'PLAYED_VIDEO' AS label FROM ev
    WHERE event_source IN ('browser', 'mobile') AND event_type = 'play_video'
)
SELECT
    course_id,
    CAST(week_start AS TIMESTAMP) AS interval_start,
    CAST(week_start + INTERVAL 7 DAY AS TIMESTAMP) AS interval_end,
    label,
    count(DISTINCT user_id) AS "count"
FROM labelled
WHERE course_id IS NOT NULL
GROUP BY course_id, week_start, label
