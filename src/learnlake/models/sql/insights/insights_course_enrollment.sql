/* ---
description: >
  Insights' daily enrollment rows (its `course_enrollment` table, renamed here because `course_enrollment`
  is Aspects' event-sink table of LMS enrollments): for each learner and course, one row per day from the day of the
  learner's first enrollment event (in the interval) to the day before the report end, with the state
  and mode at the end of that day. The mode is the mode of the latest event, deactivations included
  (a learner deactivated with mode honor counts under honor from then on).
grain: one row per (course_id, user_id, date)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: user_id, type: BIGINT, description: "Learner"}
  - {name: date, type: DATE, description: "Day"}
  - {name: at_end, type: BIGINT, description: "1 when enrolled at the end of the day, else 0"}
  - {name: mode, type: VARCHAR, description: "Mode at the end of the day"}
--- */
WITH last_of_day AS (
    SELECT course_id, user_id, event_date, mode, enrolled_after
    FROM (
        SELECT
            *,
            row_number() OVER (PARTITION BY course_id, user_id, event_date ORDER BY seq DESC) AS rn
        FROM insights_enrollment_events
    ) AS t
    WHERE rn = 1
),
spans AS (
    SELECT
        *,
        max(event_date) OVER (
            PARTITION BY course_id, user_id ORDER BY event_date ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING
        ) AS next_date
    FROM last_of_day
)
SELECT
    p.course_id AS course_id,
    p.user_id AS user_id,
    c."date" AS "date",
    CASE WHEN p.enrolled_after THEN 1 ELSE 0 END AS at_end,
    p.mode AS mode
FROM spans AS p
INNER JOIN insights_calendar AS c
    ON c."date" >= p.event_date AND c."date" < coalesce(p.next_date, DATE '2100-01-01')
