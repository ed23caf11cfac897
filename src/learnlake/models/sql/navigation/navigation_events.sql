/* ---
description: >
  Navigation statements (Aspects' navigation_events): `navigated` statements with the block navigated
  to (the usage key after `/xblock/`, or after `/jump_to/` for outline links), the object type, the
  starting position (tincan starting-position context extension; 0 for link and module objects) and the
  ending point (`next unit`, `previous unit`, a tab number...).
  Reads the statement fields from xapi_statement_fields (the JSON parsed once for all event models).
grain: one row per navigation statement
materialization: incremental
partition_by: event_date
unique_key: [event_id]
columns:
  - {name: event_id, type: VARCHAR, description: "Statement id"}
  - {name: emission_time, type: TIMESTAMP, description: "Statement time (UTC) truncated to the second"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: block_id, type: VARCHAR, description: "Usage key of the block navigated to"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: verb_id, type: VARCHAR, description: "Verb IRI"}
  - {name: object_type, type: VARCHAR, description: "Object definition type (resource, link, module)"}
  - {name: starting_position, type: BIGINT, description: "Unit position the learner left (0 for link/module)"}
  - {name: ending_point, type: VARCHAR, description: "Where the learner went (next unit, previous unit, tab N)"}
  - {name: event_date, type: DATE, description: "UTC date of the statement (the partition)"}
--- */
SELECT
    event_id,
    date_trunc('second', CAST(emission_time AS TIMESTAMP)) AS emission_time,
    actor_id,
    CASE
        WHEN object_id LIKE '%/xblock/%' THEN regexp_extract(object_id, '/xblock/(.+)$', 1)
        ELSE regexp_extract(object_id, '/jump_to/(.+)$', 1)
    END AS block_id,
    course_key,
    org,
    verb_id,
    coalesce(object_type, '') AS object_type,
    CASE
        WHEN coalesce(object_type, '') IN (
            'http://adlnet.gov/expapi/activities/link', 'http://adlnet.gov/expapi/activities/module'
        ) THEN 0
        ELSE coalesce(starting_position, 0)
    END AS starting_position,
    coalesce(ending_point, '') AS ending_point,
    event_date
FROM xapi_statement_fields
WHERE verb_id = 'https://w3id.org/xapi/dod-isd/verbs/navigated'
