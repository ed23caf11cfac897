/* ---
description: >
  Insights' module_engagement_metric_ranges: per course and metric of module_engagement_summary, the 15th
  and 85th percentiles (linear interpolation between closest ranks, numpy's default) split learners into
  low [0, p15) (only when p15 > 0), normal [p15, p85) and high [p85, infinity); when p15 = p85 there is
  only normal [p15, infinity). Infinity is stored as NULL. For problem_attempts_per_completed learners
  without attempts are skipped; with none left the metric gets normal [0, NULL). Where both neighbouring
  ranks of a percentile are infinite the percentile is infinite (numpy would give NaN).
grain: one row per (course_id, metric, range_type)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: start_date, type: DATE, description: "First day of the week"}
  - {name: end_date, type: DATE, description: "Day after the week"}
  - {name: metric, type: VARCHAR, description: "Summary metric name"}
  - {name: range_type, type: VARCHAR, description: "low, normal or high"}
  - {name: low_value, type: DOUBLE, description: "Inclusive lower bound (NULL = infinity)"}
  - {name: high_value, type: DOUBLE, description: "Exclusive upper bound (NULL = infinity)"}
--- */
WITH metric_values AS (
    SELECT course_id, 'problem_attempts' AS metric, CAST(problem_attempts AS DOUBLE) AS value
    FROM module_engagement_summary
    UNION ALL
    SELECT course_id, 'problems_attempted' AS metric, CAST(problems_attempted AS DOUBLE) AS value
    FROM module_engagement_summary
    UNION ALL
    SELECT course_id, 'problems_completed' AS metric, CAST(problems_completed AS DOUBLE) AS value
    FROM module_engagement_summary
    UNION ALL
    SELECT course_id, 'problem_attempts_per_completed' AS metric, problem_attempts_per_completed AS value
    FROM module_engagement_summary
    WHERE problem_attempts > 0
    UNION ALL
    SELECT course_id, 'videos_viewed' AS metric, CAST(videos_viewed AS DOUBLE) AS value
    FROM module_engagement_summary
    UNION ALL
    SELECT course_id, 'discussion_contributions' AS metric, CAST(discussion_contributions AS DOUBLE) AS value
    FROM module_engagement_summary
),
ranked AS (
    SELECT
        course_id,
        metric,
        value,
        row_number() OVER (PARTITION BY course_id, metric ORDER BY value) - 1 AS rn,
        count(*) OVER (PARTITION BY course_id, metric) AS n
    FROM metric_values
),
positioned AS (
    SELECT
        *,
        (n - 1) * 0.15 AS pos15,
        (n - 1) * 0.85 AS pos85,
        CAST(floor((n - 1) * 0.15) AS BIGINT) AS i15,
        CAST(floor((n - 1) * 0.85) AS BIGINT) AS i85
    FROM ranked
),
neighbours AS (
    SELECT
        course_id,
        metric,
        max(pos15) AS pos15,
        max(pos85) AS pos85,
        max(CASE WHEN rn = i15 THEN value END) AS lo15,
        max(CASE WHEN rn = least(i15 + 1, n - 1) THEN value END) AS hi15,
        max(CASE WHEN rn = i85 THEN value END) AS lo85,
        max(CASE WHEN rn = least(i85 + 1, n - 1) THEN value END) AS hi85
    FROM positioned
    GROUP BY course_id, metric
),
percentiles AS (
    SELECT
        course_id,
        metric,
        CASE
            WHEN pos15 = floor(pos15) OR hi15 = lo15 THEN lo15
            ELSE lo15 + (hi15 - lo15) * (pos15 - floor(pos15))
        END AS p15,
        CASE
            WHEN pos85 = floor(pos85) OR hi85 = lo85 THEN lo85
            ELSE lo85 + (hi85 - lo85) * (pos85 - floor(pos85))
        END AS p85
    FROM neighbours
),
metrics AS (
    SELECT 'problem_attempts' AS metric
    UNION ALL SELECT 'problems_attempted' AS metric
    UNION ALL SELECT 'problems_completed' AS metric
    UNION ALL SELECT 'problem_attempts_per_completed' AS metric
    UNION ALL SELECT 'videos_viewed' AS metric
    UNION ALL SELECT 'discussion_contributions' AS metric
),
grid AS (
    SELECT
        c.course_id AS course_id,
        c.start_date AS start_date,
        c.end_date AS end_date,
        m.metric AS metric,
        coalesce(p.p15, 0) AS p15,
        coalesce(p.p85, 0) AS p85
    FROM (
        SELECT course_id, min(start_date) AS start_date, min(end_date) AS end_date
        FROM module_engagement_summary
        GROUP BY course_id
    ) AS c
    CROSS JOIN metrics AS m
    LEFT JOIN percentiles AS p ON p.course_id = c.course_id AND p.metric = m.metric
),
ranges AS (
    SELECT course_id, start_date, end_date, metric, 'low' AS range_type, 0.0 AS low_value, p15 AS high_value
    FROM grid
    WHERE p15 > 0
    UNION ALL
    SELECT course_id, start_date, end_date, metric, 'normal' AS range_type, p15 AS low_value,
        CASE WHEN p15 = p85 THEN CAST('inf' AS DOUBLE) ELSE p85 END AS high_value
    FROM grid
    UNION ALL
    SELECT course_id, start_date, end_date, metric, 'high' AS range_type, p85 AS low_value,
        CAST('inf' AS DOUBLE) AS high_value
    FROM grid
    WHERE p15 <> p85
)
SELECT
    course_id,
    start_date,
    end_date,
    metric,
    range_type,
    CASE WHEN low_value = CAST('inf' AS DOUBLE) THEN NULL ELSE low_value END AS low_value,
    CASE WHEN high_value = CAST('inf' AS DOUBLE) THEN NULL ELSE high_value END AS high_value
FROM ranges
