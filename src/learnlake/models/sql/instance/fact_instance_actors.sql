/* ---
description: >
  Distinct active learners per day on the whole instance (Aspects' fact_instance_actors, which stores
  uniqCombined states; here the exact distinct count).
grain: one row per day with events
materialization: incremental
partition_by: emission_day
unique_key: [emission_day]
columns:
  - {name: emission_day, type: DATE, description: "UTC day"}
  - {name: actors, type: BIGINT, description: "Distinct actors with at least one statement that day"}
--- */
SELECT CAST(emission_time AS DATE) AS emission_day, count(DISTINCT actor_id) AS actors
FROM xapi_events_all_parsed
GROUP BY 1
