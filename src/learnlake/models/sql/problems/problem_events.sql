/* ---
description: >
  Problem statements (Aspects' problem_events): `evaluated` (a submitted answer), `passed` and `asked`
  (hint or answer shown). responses is result.response; success and attempts (tincan attempt-id) are read
  for evaluated statements only (false / 0 otherwise); problem_id is the problem usage key taken from the
  object IRI without its `/answer`, `/hint/N` or `_N_N` response-part suffix ('' for non-problem objects).
  Reads the statement fields from xapi_statement_fields (the JSON parsed once for all event models).
grain: one row per problem statement
materialization: incremental
partition_by: event_date
unique_key: [event_id]
columns:
  - {name: event_id, type: VARCHAR, description: "Statement id"}
  - {name: emission_time, type: TIMESTAMP, description: "Statement time (UTC) truncated to the second"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Object IRI (problem, response part, hint, answer)"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: verb_id, type: VARCHAR, description: "Verb IRI"}
  - {name: responses, type: VARCHAR, description: "The learner's response text ('' when none)"}
  - {name: scaled_score, type: DOUBLE, description: "Score between 0 and 1 (0 when absent)"}
  - {name: success, type: BOOLEAN, description: "Correct answer (evaluated only)"}
  - {name: interaction_type, type: VARCHAR, description: "cmi.interaction type: choice, fill-in, other..."}
  - {name: attempts, type: INTEGER, description: "Attempt number (evaluated only; 0 otherwise)"}
  - {name: problem_id, type: VARCHAR, description: "Usage key of the problem"}
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
    coalesce(response, '') AS responses,
    coalesce(score_scaled, 0) AS scaled_score,
    CASE
        WHEN verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' THEN coalesce(success, false)
        ELSE false
    END AS success,
    coalesce(interaction_type, '') AS interaction_type,
    CASE
        WHEN verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' THEN coalesce(attempt_id, 0)
        ELSE 0
    END AS attempts,
    regexp_extract(object_id, 'xblock/([^/]*type@problem\+block@[^_/]+)', 1) AS problem_id,
    event_date
FROM xapi_statement_fields
WHERE verb_id IN (
    'https://w3id.org/xapi/acrossx/verbs/evaluated',
    'http://adlnet.gov/expapi/verbs/passed',
    'http://adlnet.gov/expapi/verbs/asked'
)
