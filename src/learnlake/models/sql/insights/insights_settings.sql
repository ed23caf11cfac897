/* ---
description: >
  The reporting interval of the Insights reports, read from the runner's one-row `model_settings`:
  `interval_start` and `interval_end` (dates, half-open [start, end), as Insights' --interval) when the
  runner provides them (NULL otherwise: unbounded), and `report_end` = interval_end, or the day after
  `as_of` when no end is given (the exclusive end of daily series such as insights_course_enrollment). The columns
  are looked up by name in the settings row, so the models build whether or not the runner passes an
  interval.
grain: one row
materialization: view
columns:
  - {name: interval_start, type: DATE, description: "First day of the interval (inclusive); NULL = unbounded"}
  - {name: interval_end, type: DATE, description: "Day after the interval (exclusive); NULL = unbounded"}
  - {name: report_end, type: DATE, description: "interval_end, else the day after as_of"}
  - {name: as_of, type: TIMESTAMP, description: "The runner's as_of"}
--- */
SELECT
    interval_start,
    interval_end,
    coalesce(interval_end, CAST(as_of AS DATE) + INTERVAL 1 DAY) AS report_end,
    as_of
FROM (
    SELECT
        TRY_CAST(json_extract_string(to_json(s), '$.interval_start') AS DATE) AS interval_start,
        TRY_CAST(json_extract_string(to_json(s), '$.interval_end') AS DATE) AS interval_end,
        CAST(s.as_of AS TIMESTAMP) AS as_of
    FROM model_settings AS s
) AS t
