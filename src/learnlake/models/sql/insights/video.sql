/* ---
description: >
  Insights' per-video summary (`video`): duration (the maximum reported duration, or inferred from where
  viewers drop off as (final segment + 1) * 5 - 1 when any viewing had none), learners on segment 0, learners
  on the segment holding max(duration - 30, 0.95 * duration) (credits trimmed), and seconds viewed = 5 x
  the views of the reported segments.
grain: one row per (course_id, encoded_module_id)
materialization: table
columns:
  - {name: pipeline_video_id, type: VARCHAR, description: "course_id|video id"}
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: encoded_module_id, type: VARCHAR, description: "Video id as logged"}
  - {name: duration, type: BIGINT, description: "Duration in seconds (integer)"}
  - {name: segment_length, type: BIGINT, description: "Always 5"}
  - {name: users_at_start, type: BIGINT, description: "Learners who watched segment 0"}
  - {name: users_at_end, type: BIGINT, description: "Learners who watched the end segment"}
  - {name: total_viewed_seconds, type: BIGINT, description: "5 x views summed over the reported segments"}
--- */
WITH per_video AS (
    SELECT
        course_id,
        video_id,
        CASE
            WHEN max(duration) IS NULL THEN (max(final_segment) + 1) * 5 - 1
            ELSE CAST(floor(max(duration)) AS BIGINT)
        END AS duration,
        sum(CASE WHEN segment <= final_segment THEN num_views ELSE 0 END) AS views,
        max(CASE WHEN segment = 0 THEN num_users ELSE 0 END) AS users_at_start
    FROM insights_video_segment_usage
    GROUP BY course_id, video_id
),
with_end AS (
    SELECT *, CAST(floor(greatest(CAST(duration AS DOUBLE) - 30, 0.95 * duration)) AS BIGINT) // 5 AS end_segment
    FROM per_video
)
SELECT
    p.course_id || '|' || p.video_id AS pipeline_video_id,
    p.course_id AS course_id,
    p.video_id AS encoded_module_id,
    p.duration AS duration,
    CAST(5 AS BIGINT) AS segment_length,
    p.users_at_start AS users_at_start,
    coalesce(u.num_users, 0) AS users_at_end,
    CAST(5 * p.views AS BIGINT) AS total_viewed_seconds
FROM with_end AS p
LEFT JOIN insights_video_segment_usage AS u
    ON u.course_id = p.course_id AND u.video_id = p.video_id AND u.segment = p.end_segment
