SELECT
    settings_start AS interval_start,
    settings_end AS interval_end,
    CAST(coalesce(settings_end, toDate(settings_as_of) + 1) AS Nullable(Date)) AS report_end,
    settings_as_of AS as_of
FROM (
    -- aliases differ from the column names: ClickHouse would substitute an alias into the * expansion
    SELECT
        toDateOrNull(JSONExtractString(formatRowNoNewline('JSONEachRow', *), 'interval_start')) AS settings_start,
        toDateOrNull(JSONExtractString(formatRowNoNewline('JSONEachRow', *), 'interval_end')) AS settings_end,
        as_of AS settings_as_of
    FROM model_settings
) AS t
