/* ---
description: >
  Insights' module_engagement (Learner Analytics): per day, learner, course and module, how often the
  learner interacted with it. Server problem_check gives (problem, problem_id, attempted) and also
  (problem, problem_id, completed) when success is correct (any case); play_video from any source gives
  (video, payload id, viewed); edx.forum.*.created gives (discussion, commentable_id, contributed).
  Events need a trimmed username of 1 to 30 characters, a course (context, else the URL) and an object
  (or empty) payload, inside the model_settings interval; rows with an empty entity id are dropped.
  Entity ids keep their spelling (i4x-... legacy videos, bare course-v1 video hashes, i4x:// problems).
  Not reproduced: Insights' optional anonymous-username placeholder (anonymous events are dropped).
grain: one row per (date, course_id, username, entity_type, entity_id, event)
materialization: table
columns:
  - {name: date, type: DATE, description: "Event day"}
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: username, type: VARCHAR, description: "Learner"}
  - {name: entity_type, type: VARCHAR, description: "problem, video or discussion"}
  - {name: entity_id, type: VARCHAR, description: "Problem id, video id or discussion topic id"}
  - {name: event, type: VARCHAR, description: "attempted, completed, viewed or contributed"}
  - {name: count, type: BIGINT, description: "Events"}
--- */
WITH ev AS (
    SELECT
        e.event_date AS event_date,
        coalesce(e.context_course_id, CASE WHEN NOT e.context_course_invalid THEN e.url_course_id END) AS course_id,
        e.username AS username,
        e.event_type AS event_type,
        e.event_source AS event_source,
        e.p_problem_id AS p_problem_id,
        e.p_success AS p_success,
        e.p_id AS p_id,
        e.p_commentable_id AS p_commentable_id
    FROM insights_events AS e
    CROSS JOIN insights_settings AS s
    WHERE e.username IS NOT NULL
        AND length(e.username) <= 30
        AND (e.payload_is_object OR e.payload_empty)
        AND (s.interval_start IS NULL OR e.event_date >= s.interval_start)
        AND (s.interval_end IS NULL OR e.event_date < s.interval_end)
),
entities AS (
    SELECT event_date, course_id, username, 'problem' AS entity_type, p_problem_id AS entity_id, 'attempted' AS event
    FROM ev
    WHERE event_type = 'problem_check' AND event_source = 'server'
    UNION ALL
    SELECT event_date, course_id, username, 'problem' AS entity_type, p_problem_id AS entity_id, 'completed' AS event
    FROM ev
    WHERE event_type = 'problem_check' AND event_source = 'server' AND lower(p_success) = 'correct'
    UNION ALL
    SELECT event_date, course_id, username, 'video' AS entity_type, p_id AS entity_id, 'viewed' AS event
    FROM ev
    WHERE event_type = 'play_video'
    UNION ALL
    SELECT event_date, course_id, username, 'discussion' AS entity_type, p_commentable_id AS entity_id,
        'contributed' AS event
    FROM ev
    WHERE starts_with(event_type, 'edx.forum.') AND ends_with(event_type, '.created')
)
SELECT
    event_date AS "date",
    course_id,
    username,
    entity_type,
    entity_id,
    event,
    count(*) AS "count"
FROM entities
WHERE course_id IS NOT NULL AND entity_id IS NOT NULL AND entity_id <> ''
GROUP BY event_date, course_id, username, entity_type, entity_id, event
