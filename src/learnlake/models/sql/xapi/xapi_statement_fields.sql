/* ---
description: >
  The xAPI statements Aspects' event models read (enrollment_events, grading_events, navigation_events,
  problem_events, video_playback_events), with the statement JSON fields they read extracted here, once:
  the statement JSON is the widest column of the lake, so each event model reading it again would scan it
  again; and it is parsed once per statement, for every path at once. A field is kept only for the verbs
  whose model reads it (NULL otherwise) and typed as that model typed it, so each event model gives the
  same rows as when it parsed the JSON itself. The ClickHouse override extracts path by path.
grain: one row per statement with an enrollment, grading, navigation, problem or video verb
materialization: incremental
partition_by: event_date
unique_key: [event_id]
columns:
  - {name: event_id, type: VARCHAR, description: "Statement id"}
  - {name: emission_time, type: TIMESTAMP, description: "Statement time (UTC)"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Object IRI"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: verb_id, type: VARCHAR, description: "Verb IRI"}
  - {name: object_type, type: VARCHAR, description: "object.definition.type (passed, failed, navigated)"}
  - {name: acrossx_type, type: VARCHAR, description: "acrossx `type` object extension (registered, unregistered)"}
  - {name: grade_classification, type: VARCHAR, description: "grade_classification result extension (grading verbs)"}
  - {name: score_scaled, type: DOUBLE, description: "result.score.scaled (grading and problem verbs)"}
  - {name: response, type: VARCHAR, description: "result.response (problem verbs)"}
  - {name: success, type: BOOLEAN, description: "result.success (evaluated)"}
  - {name: interaction_type, type: VARCHAR, description: "object.definition.interactionType (problem verbs)"}
  - {name: attempt_id, type: INTEGER, description: "tincan attempt-id object extension (evaluated)"}
  - {name: starting_position, type: BIGINT, description: "tincan starting-position context extension (navigated resources)"}
  - {name: ending_point, type: VARCHAR, description: "tincan ending-point context extension (navigated)"}
  - {name: video_time, type: DOUBLE, description: "video `time` result extension (video verbs on video blocks)"}
  - {name: video_time_from, type: DOUBLE, description: "video `time-from` result extension (video verbs on video blocks)"}
  - {name: video_length, type: DOUBLE, description: "video `length` context extension (video verbs on video blocks)"}
  - {name: event_date, type: DATE, description: "UTC date of the statement (the partition)"}
--- */
WITH parsed AS (
    SELECT
        *,
        verb_id IN (
            'http://adlnet.gov/expapi/verbs/completed',
            'http://adlnet.gov/expapi/verbs/initialized',
            'http://adlnet.gov/expapi/verbs/terminated',
            'https://w3id.org/xapi/video/verbs/played',
            'https://w3id.org/xapi/video/verbs/paused',
            'https://w3id.org/xapi/video/verbs/seeked'
        ) AND object_id LIKE '%video+block%' AS is_video,
        -- one parse of the statement for every field (1-based positions used below)
        json_extract(event, [
            '$.object.definition.type',
            '$.object.definition.extensions."https://w3id.org/xapi/acrossx/extensions/type"',
            '$.result.extensions."http://www.tincanapi.co.uk/activitytypes/grade_classification"',
            '$.result.score.scaled',
            '$.result.response',
            '$.result.success',
            '$.object.definition.interactionType',
            '$.object.definition.extensions."http://id.tincanapi.com/extension/attempt-id"',
            '$.context.extensions."http://id.tincanapi.com/extension/starting-position"',
            '$.context.extensions."http://id.tincanapi.com/extension/ending-point"',
            '$.result.extensions."https://w3id.org/xapi/video/extensions/time"',
            '$.result.extensions."https://w3id.org/xapi/video/extensions/time-from"',
            '$.context.extensions."https://w3id.org/xapi/video/extensions/length"'
        ]) AS j
    FROM xapi_events_all_parsed
    WHERE verb_id IN (
        'http://adlnet.gov/expapi/verbs/registered',
        'http://id.tincanapi.com/verb/unregistered',
        'http://id.tincanapi.com/verb/earned',
        'https://w3id.org/xapi/acrossx/verbs/evaluated',
        'http://adlnet.gov/expapi/verbs/passed',
        'http://adlnet.gov/expapi/verbs/failed',
        'http://adlnet.gov/expapi/verbs/asked',
        'https://w3id.org/xapi/dod-isd/verbs/navigated',
        'http://adlnet.gov/expapi/verbs/completed',
        'http://adlnet.gov/expapi/verbs/initialized',
        'http://adlnet.gov/expapi/verbs/terminated',
        'https://w3id.org/xapi/video/verbs/played',
        'https://w3id.org/xapi/video/verbs/paused',
        'https://w3id.org/xapi/video/verbs/seeked'
    )
),
picked AS (
    SELECT
        *,
        CASE
            WHEN verb_id IN (
                'http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/failed',
                'https://w3id.org/xapi/dod-isd/verbs/navigated'
            ) THEN j[1] ->> '$'
        END AS object_type
    FROM parsed
)
SELECT
    event_id,
    CAST(emission_time AS TIMESTAMP) AS emission_time,
    actor_id,
    object_id,
    course_key,
    org,
    verb_id,
    object_type,
    CASE
        WHEN verb_id IN ('http://adlnet.gov/expapi/verbs/registered', 'http://id.tincanapi.com/verb/unregistered')
            THEN j[2] ->> '$'
    END AS acrossx_type,
    CASE
        WHEN verb_id IN (
            'http://id.tincanapi.com/verb/earned', 'https://w3id.org/xapi/acrossx/verbs/evaluated',
            'http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/failed'
        ) THEN j[3] ->> '$'
    END AS grade_classification,
    CASE
        WHEN verb_id IN (
                'http://id.tincanapi.com/verb/earned', 'https://w3id.org/xapi/acrossx/verbs/evaluated',
                'http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/asked'
            )
            OR (
                verb_id = 'http://adlnet.gov/expapi/verbs/failed'
                AND object_type = 'http://adlnet.gov/expapi/activities/course'
            )
            THEN CAST(j[4] AS DOUBLE)
    END AS score_scaled,
    CASE
        WHEN verb_id IN (
            'https://w3id.org/xapi/acrossx/verbs/evaluated', 'http://adlnet.gov/expapi/verbs/passed',
            'http://adlnet.gov/expapi/verbs/asked'
        ) THEN j[5] ->> '$'
    END AS response,
    CASE WHEN verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' THEN CAST(j[6] AS BOOLEAN) END AS success,
    CASE
        WHEN verb_id IN (
            'https://w3id.org/xapi/acrossx/verbs/evaluated', 'http://adlnet.gov/expapi/verbs/passed',
            'http://adlnet.gov/expapi/verbs/asked'
        ) THEN j[7] ->> '$'
    END AS interaction_type,
    CASE WHEN verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' THEN CAST(j[8] AS INTEGER) END AS attempt_id,
    CASE
        WHEN verb_id = 'https://w3id.org/xapi/dod-isd/verbs/navigated'
            AND coalesce(object_type, '') NOT IN (
                'http://adlnet.gov/expapi/activities/link', 'http://adlnet.gov/expapi/activities/module'
            )
            THEN CAST(j[9] AS BIGINT)
    END AS starting_position,
    CASE WHEN verb_id = 'https://w3id.org/xapi/dod-isd/verbs/navigated' THEN j[10] ->> '$' END AS ending_point,
    CASE WHEN is_video THEN CAST(j[11] AS DOUBLE) END AS video_time,
    CASE WHEN is_video THEN CAST(j[12] AS DOUBLE) END AS video_time_from,
    CASE WHEN is_video THEN CAST(j[13] AS DOUBLE) END AS video_length,
    CAST(emission_time AS DATE) AS event_date
FROM picked
