/* ---
description: >
  Enrollment events replayed through Insights' per-learner state machine. course_id, user_id and mode come
  from the payload (events missing one, or with an invalid course key, are dropped); only events inside
  the model_settings interval count. Per (course, user) the events are numbered by time (ties by event
  key). The state starts unenrolled; activated makes an unenrolled learner enrolled, deactivated makes an
  enrolled learner unenrolled, anything else changes nothing, so the state after an event is the type of
  the latest activation or deactivation so far.
grain: one row per enrollment event
materialization: view
columns:
  - {name: course_id, type: VARCHAR, description: "Course key (payload)"}
  - {name: user_id, type: BIGINT, description: "Learner (payload)"}
  - {name: time, type: TIMESTAMP, description: "Event time (UTC)"}
  - {name: event_date, type: DATE, description: "UTC date of the event"}
  - {name: action, type: VARCHAR, description: "activated, deactivated or mode_changed"}
  - {name: mode, type: VARCHAR, description: "Enrollment mode carried by the event"}
  - {name: seq, type: BIGINT, description: "Position of the event in the learner's course history (1 = first)"}
  - {name: enrolled_before, type: BOOLEAN, description: "Enrolled just before this event"}
  - {name: enrolled_after, type: BOOLEAN, description: "Enrolled just after this event"}
--- */
WITH ev AS (
    SELECT
        e.p_course_id AS course_id,
        e.p_user_id AS user_id,
        e."time" AS "time",
        e.event_date AS event_date,
        e.event_key AS event_key,
        replace(e.event_type, 'edx.course.enrollment.', '') AS action,
        e.p_mode AS mode
    FROM insights_events AS e
    CROSS JOIN insights_settings AS s
    WHERE e.event_type IN (
            'edx.course.enrollment.activated', 'edx.course.enrollment.deactivated', 'edx.course.enrollment.mode_changed'
        )
        AND e.p_user_id IS NOT NULL
        AND e.p_mode IS NOT NULL
        AND regexp_matches(
            coalesce(e.p_course_id, ''),
            '^(course-v1:[^/+\s]+\+[^/+\s]+\+[^/+\s]+|[^/+\s:]+/[^/+\s]+/[^/+\s]+)$'
        )
        AND (s.interval_start IS NULL OR e.event_date >= s.interval_start)
        AND (s.interval_end IS NULL OR e.event_date < s.interval_end)
),
numbered AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY course_id, user_id ORDER BY "time", event_key) AS seq
    FROM ev
),
coded AS (
    SELECT
        *,
        -- 2 * seq (+1 for an activation) for activations and deactivations: the running max is the latest one
        CASE
            WHEN action = 'activated' THEN 2 * seq + 1
            WHEN action = 'deactivated' THEN 2 * seq
        END AS ad_code
    FROM numbered
),
states AS (
    SELECT
        *,
        max(ad_code) OVER (
            PARTITION BY course_id, user_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS code_before,
        max(ad_code) OVER (
            PARTITION BY course_id, user_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS code_after
    FROM coded
)
SELECT
    course_id,
    user_id,
    "time",
    event_date,
    action,
    mode,
    seq,
    coalesce(code_before % 2 = 1, FALSE) AS enrolled_before,
    coalesce(code_after % 2 = 1, FALSE) AS enrolled_after
FROM states
