/* ---
description: >
  Each learner's current enrollment in each course (Aspects' dim_most_recent_enrollment): the latest
  enrollment statement per (org, course_key, actor_id), giving the current status (registered or
  unregistered), mode and the time of that action. Aspects keeps the last inserted row of a
  ReplacingMergeTree; here the latest by time is taken over all statements (ties: the greater event id).
grain: one row per (org, course_key, actor_id)
materialization: table
unique_key: [org, course_key, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: enrollment_status, type: VARCHAR, description: "Current status: registered or unregistered"}
  - {name: enrollment_mode, type: VARCHAR, description: "Current mode (track)"}
  - {name: emission_time, type: TIMESTAMP, description: "Time of the latest enrollment action"}
--- */
WITH ranked AS (
    SELECT
        org,
        course_key,
        actor_id,
        enrollment_status,
        enrollment_mode,
        emission_time,
        row_number() OVER (PARTITION BY org, course_key, actor_id ORDER BY emission_time DESC, event_id DESC) AS rn
    FROM enrollment_events
)
SELECT org, course_key, actor_id, enrollment_status, enrollment_mode, emission_time
FROM ranked
WHERE rn = 1
