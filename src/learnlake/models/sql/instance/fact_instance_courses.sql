/* ---
description: Distinct active courses per hour on the whole instance (Aspects' fact_instance_courses; exact count).
grain: one row per hour with events
materialization: incremental
partition_by: emission_day
unique_key: [emission_hour]
columns:
  - {name: emission_hour, type: TIMESTAMP, description: "UTC hour"}
  - {name: courses, type: BIGINT, description: "Distinct courses with at least one statement that hour"}
  - {name: emission_day, type: DATE, description: "UTC day of the hour (the partition)"}
--- */
SELECT
    date_trunc('hour', CAST(emission_time AS TIMESTAMP)) AS emission_hour,
    count(DISTINCT course_id) AS courses,
    CAST(emission_time AS DATE) AS emission_day
FROM xapi_events_all_parsed
GROUP BY 1, 3
