/* ---
description: Statements per day on the whole instance (Aspects' fact_instance_events; exact distinct count).
grain: one row per day with events
materialization: incremental
partition_by: emission_day
unique_key: [emission_day]
columns:
  - {name: emission_day, type: DATE, description: "UTC day"}
  - {name: events, type: BIGINT, description: "Distinct statements that day"}
--- */
SELECT CAST(emission_time AS DATE) AS emission_day, count(DISTINCT event_id) AS events
FROM xapi_events_all_parsed
GROUP BY 1
