-- DuckDB's generate_series has no transpiled equivalent: the same days with arrayJoin(range(...)).
SELECT arrayJoin(arrayMap(i -> addDays(start_date, i), range(toUInt32(greatest(dateDiff('day', start_date, end_date), 0))))) AS `date`
FROM (
    SELECT
        toDate(coalesce(s.interval_start, b.first_date, s.report_end)) AS start_date,
        toDate(s.report_end) AS end_date
    FROM insights_settings AS s
    CROSS JOIN (SELECT min(event_date) AS first_date FROM insights_enrollment_events) AS b
) AS bounds
