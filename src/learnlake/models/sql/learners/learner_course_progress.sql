/* ---
description: >
  Beyond Aspects and Insights: each learner's progress and completion in each course. A block's
  completion is its latest value (by time) from either source: the LMS completion_blockcompletion table
  (modified) or edx.completion.block_completion.changed tracking events (payload course_id, user_id,
  block_id, completion; event time), so progress is current even between LMS extracts. A block counts as
  started when its completion is above 0 and as completed at 1.0. The course's completable blocks are its
  course_blocks other than the course, sections, subsections and units (the containers Open edX
  aggregates); progress = completed / completable (NULL when the course structure is not loaded, at most
  1), and the course is complete when every completable block is.
grain: one row per (course_key, user_id) with any completion record
materialization: table
columns:
  - {name: course_key, type: VARCHAR, description: "Course key"}
  - {name: user_id, type: BIGINT, description: "LMS user id"}
  - {name: blocks_started, type: BIGINT, description: "Blocks with completion above 0"}
  - {name: blocks_completed, type: BIGINT, description: "Blocks with completion 1.0"}
  - {name: completable_blocks, type: BIGINT, description: "Completable blocks in the course (course_blocks)"}
  - {name: progress, type: DOUBLE, description: "blocks_completed / completable_blocks, 0..1"}
  - {name: is_complete, type: BOOLEAN, description: "Every completable block is completed"}
  - {name: first_completion_time, type: TIMESTAMP, description: "First block completion record"}
  - {name: last_completion_time, type: TIMESTAMP, description: "Latest block completion record"}
--- */
WITH records AS (
    SELECT
        coalesce(e.p_course_id, e.context_course_id) AS course_key,
        coalesce(e.p_user_id, e.user_id) AS user_id,
        e.p_block_id AS block_key,
        e.p_completion AS completion,
        e."time" AS "time"
    FROM insights_events AS e
    WHERE e.event_type = 'edx.completion.block_completion.changed'
        AND e.p_block_id IS NOT NULL
        AND e.p_completion IS NOT NULL
    UNION ALL
    SELECT
        CAST(c.course_key AS VARCHAR) AS course_key,
        CAST(nullif(regexp_extract(CAST(c.user_id AS VARCHAR), '^[0-9]+', 0), '') AS BIGINT) AS user_id,
        CAST(c.block_key AS VARCHAR) AS block_key,
        CAST(nullif(CAST(c.completion AS VARCHAR), '') AS DOUBLE) AS completion,
        CAST(nullif(substr(replace(CAST(c.modified AS VARCHAR), 'T', ' '), 1, 19), '') AS TIMESTAMP) AS "time"
    FROM completion_blockcompletion AS c
),
latest AS (
    SELECT course_key, user_id, block_key, completion, "time"
    FROM (
        SELECT
            *,
            row_number() OVER (PARTITION BY course_key, user_id, block_key ORDER BY "time" DESC, completion DESC) AS rn
        FROM records
        WHERE course_key IS NOT NULL AND user_id IS NOT NULL
    ) AS t
    WHERE rn = 1
),
per_learner AS (
    SELECT
        course_key,
        user_id,
        sum(CASE WHEN completion > 0 THEN 1 ELSE 0 END) AS blocks_started,
        sum(CASE WHEN completion >= 1.0 THEN 1 ELSE 0 END) AS blocks_completed,
        min("time") AS first_completion_time,
        max("time") AS last_completion_time
    FROM latest
    GROUP BY course_key, user_id
),
completable AS (
    SELECT course_key, count(*) AS completable_blocks
    FROM course_blocks
    WHERE block_type NOT IN ('course', 'chapter', 'sequential', 'vertical')
    GROUP BY course_key
)
SELECT
    p.course_key AS course_key,
    p.user_id AS user_id,
    p.blocks_started AS blocks_started,
    p.blocks_completed AS blocks_completed,
    c.completable_blocks AS completable_blocks,
    CASE
        WHEN c.completable_blocks > 0
            THEN least(1.0, CAST(p.blocks_completed AS DOUBLE) / c.completable_blocks)
    END AS progress,
    coalesce(c.completable_blocks > 0 AND p.blocks_completed >= c.completable_blocks, FALSE) AS is_complete,
    p.first_completion_time AS first_completion_time,
    p.last_completion_time AS last_completion_time
FROM per_learner AS p
LEFT JOIN completable AS c ON c.course_key = p.course_key
