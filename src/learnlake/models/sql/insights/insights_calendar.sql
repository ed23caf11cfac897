/* ---
description: >
  The days Insights' daily enrollment series cover: from the interval start (or the first enrollment
  event when the interval has no start) to the day before the report end.
grain: one row per day
materialization: view
columns:
  - {name: date, type: DATE, description: "A calendar day"}
--- */
SELECT CAST(d AS DATE) AS "date"
FROM (
    SELECT unnest(generate_series(
        CAST(coalesce(s.interval_start, b.first_date, s.report_end) AS TIMESTAMP),
        CAST(s.report_end AS TIMESTAMP) - INTERVAL 1 DAY,
        INTERVAL 1 DAY
    )) AS d
    FROM insights_settings AS s
    CROSS JOIN (SELECT min(event_date) AS first_date FROM insights_enrollment_events) AS b
) AS days
