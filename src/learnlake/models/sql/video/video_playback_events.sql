/* ---
description: >
  Video statements (Aspects' video_playback_events): initialized, played, paused, seeked, completed and
  terminated statements about video blocks. video_position is the ceiling of the video `time` result
  extension, else of `time-from` (seeks), else 0; a `played` at the very end of the video (position =
  duration) is reset to 1 (the player restarts). video_duration is the video `length` context extension.
  Reads the statement fields from xapi_statement_fields (the JSON parsed once for all event models).
grain: one row per video statement
materialization: incremental
partition_by: event_date
unique_key: [event_id]
columns:
  - {name: event_id, type: VARCHAR, description: "Statement id"}
  - {name: emission_time_long, type: TIMESTAMP, description: "Statement time (UTC) with microseconds"}
  - {name: emission_time, type: TIMESTAMP, description: "Statement time (UTC) truncated to the second"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Video block IRI"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: verb_id, type: VARCHAR, description: "Verb IRI"}
  - {name: video_position, type: BIGINT, description: "Position in the video in whole seconds"}
  - {name: video_duration, type: BIGINT, description: "Video length in seconds"}
  - {name: event_date, type: DATE, description: "UTC date of the statement (the partition)"}
--- */
WITH video AS (
    SELECT
        *,
        CAST(ceil(coalesce(video_time, video_time_from, 0)) AS BIGINT) AS position,
        CAST(coalesce(video_length, 0) AS BIGINT) AS duration
    FROM xapi_statement_fields
    WHERE verb_id IN (
        'http://adlnet.gov/expapi/verbs/completed',
        'http://adlnet.gov/expapi/verbs/initialized',
        'http://adlnet.gov/expapi/verbs/terminated',
        'https://w3id.org/xapi/video/verbs/played',
        'https://w3id.org/xapi/video/verbs/paused',
        'https://w3id.org/xapi/video/verbs/seeked'
    ) AND object_id LIKE '%video+block%'
)
SELECT
    event_id,
    CAST(emission_time AS TIMESTAMP) AS emission_time_long,
    date_trunc('second', CAST(emission_time AS TIMESTAMP)) AS emission_time,
    actor_id,
    object_id,
    course_key,
    org,
    verb_id,
    CASE
        WHEN verb_id = 'https://w3id.org/xapi/video/verbs/played' AND position = duration AND duration > 0 THEN 1
        ELSE position
    END AS video_position,
    duration AS video_duration,
    event_date
FROM video
