/* ---
description: >
  Enrollment statements (Aspects' enrollment_events): every `registered` / `unregistered` xAPI
  statement with the enrollment mode (object extension acrossx `type`) and the status (last segment of
  the verb). Aspects builds it as a materialized view per insert batch; here it is built incrementally
  by day over all statements of that day, which gives the same rows as Aspects' full refresh.
  Reads the statement fields from xapi_statement_fields (the JSON parsed once for all event models).
grain: one row per enrollment statement
materialization: incremental
partition_by: event_date
unique_key: [event_id]
columns:
  - {name: event_id, type: VARCHAR, description: "Statement id"}
  - {name: emission_time, type: TIMESTAMP, description: "Statement time (UTC) truncated to the second"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Course IRI"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: verb_id, type: VARCHAR, description: "Verb IRI"}
  - {name: enrollment_mode, type: VARCHAR, description: "Track: audit, honor, verified..."}
  - {name: enrollment_status, type: VARCHAR, description: "registered or unregistered"}
  - {name: event_date, type: DATE, description: "UTC date of the statement (the partition)"}
--- */
SELECT
    event_id,
    date_trunc('second', CAST(emission_time AS TIMESTAMP)) AS emission_time,
    actor_id,
    object_id,
    course_key,
    org,
    verb_id,
    coalesce(acrossx_type, '') AS enrollment_mode,
    regexp_extract(verb_id, '([^/]*)$', 1) AS enrollment_status,
    event_date
FROM xapi_statement_fields
WHERE verb_id IN ('http://adlnet.gov/expapi/verbs/registered', 'http://id.tincanapi.com/verb/unregistered')
