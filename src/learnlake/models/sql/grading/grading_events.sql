/* ---
description: >
  Grading statements (Aspects' grading_events): `earned` (course and subsection grades), `evaluated`
  (problem checks) and, when the object is a course, `passed` / `failed`. scaled_score is
  result.score.scaled; approving_state is `passed` / `failed` from the grade_classification result
  extension (Pass/Fail), else the verb for passed/failed statements, else ''.
  Reads the statement fields from xapi_statement_fields (the JSON parsed once for all event models).
grain: one row per grading statement
materialization: incremental
partition_by: event_date
unique_key: [event_id]
columns:
  - {name: event_id, type: VARCHAR, description: "Statement id"}
  - {name: emission_time, type: TIMESTAMP, description: "Statement time (UTC) truncated to the second"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Graded object IRI (course, subsection or problem)"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: verb_id, type: VARCHAR, description: "Verb IRI"}
  - {name: scaled_score, type: DOUBLE, description: "Score between 0 and 1 (0 when absent)"}
  - {name: approving_state, type: VARCHAR, description: "passed, failed or ''"}
  - {name: event_date, type: DATE, description: "UTC date of the statement (the partition)"}
--- */
WITH graded AS (
    SELECT *, coalesce(grade_classification, '') AS classification
    FROM xapi_statement_fields
    WHERE verb_id IN ('http://id.tincanapi.com/verb/earned', 'https://w3id.org/xapi/acrossx/verbs/evaluated')
        OR (
            verb_id IN ('http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/failed')
            AND coalesce(object_type, '') = 'http://adlnet.gov/expapi/activities/course'
        )
)
SELECT
    event_id,
    date_trunc('second', CAST(emission_time AS TIMESTAMP)) AS emission_time,
    actor_id,
    object_id,
    course_key,
    org,
    verb_id,
    coalesce(score_scaled, 0) AS scaled_score,
    CASE
        WHEN classification = 'Pass' THEN 'passed'
        WHEN classification = 'Fail' THEN 'failed'
        WHEN verb_id = 'http://adlnet.gov/expapi/verbs/passed' THEN 'passed'
        WHEN verb_id = 'http://adlnet.gov/expapi/verbs/failed' THEN 'failed'
        ELSE ''
    END AS approving_state,
    event_date
FROM graded
