/* ---
description: >
  Beyond Aspects and Insights: estimated time on task per learner, course and day. Method (session
  based): a learner's events in a course (context.user_id; course from the context, else the URL; task
  and enrollment events excluded, as they are not learner actions) are ordered by time; a gap of more
  than 30 minutes between two events starts a new session; a session lasts from its first to its last
  event, so a session with a single event counts 0 seconds (its length is unknown, and crediting a guess
  would inflate the total). Each session counts on the day it starts. The estimate is a lower bound: time
  after the last event of a session (reading the last page, watching the last video) is not seen.
grain: one row per (course_id, user_id, date)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: user_id, type: BIGINT, description: "LMS user id"}
  - {name: date, type: DATE, description: "Day the sessions started (UTC)"}
  - {name: sessions, type: BIGINT, description: "Sessions started that day"}
  - {name: events, type: BIGINT, description: "Events in those sessions"}
  - {name: time_on_task_seconds, type: DOUBLE, description: "Sum of the sessions' durations (s)"}
--- */
WITH ev AS (
    SELECT
        coalesce(e.context_course_id, CASE WHEN NOT e.context_course_invalid THEN e.url_course_id END) AS course_id,
        e.user_id AS user_id,
        e."time" AS "time"
    FROM insights_events AS e
    WHERE e.user_id IS NOT NULL AND e.user_id <> 0
        AND coalesce(e.event_source, '') <> 'task'
        AND NOT starts_with(coalesce(e.event_type, ''), 'edx.course.enrollment.')
),
gaps AS (
    SELECT
        course_id,
        user_id,
        "time",
        max("time") OVER (
            PARTITION BY course_id, user_id ORDER BY "time" ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING
        ) AS previous_time
    FROM ev
    WHERE course_id IS NOT NULL
),
starts AS (
    SELECT
        *,
        CASE
            WHEN previous_time IS NULL OR date_diff('millisecond', previous_time, "time") > 1800000 THEN 1
            ELSE 0
        END AS new_session
    FROM gaps
),
numbered AS (
    SELECT
        *,
        sum(new_session) OVER (
            PARTITION BY course_id, user_id ORDER BY "time" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS session_number
    FROM starts
),
sessions AS (
    SELECT
        course_id,
        user_id,
        session_number,
        min("time") AS started,
        count(*) AS events,
        date_diff('millisecond', min("time"), max("time")) / 1000.0 AS seconds
    FROM numbered
    GROUP BY course_id, user_id, session_number
)
SELECT
    course_id,
    user_id,
    CAST(started AS DATE) AS "date",
    count(*) AS sessions,
    sum(events) AS events,
    sum(seconds) AS time_on_task_seconds
FROM sessions
GROUP BY course_id, user_id, CAST(started AS DATE)
