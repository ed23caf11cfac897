/* ---
description: >
  Per video and 5-second segment, how many viewings and distinct learners covered it (Insights' usage map),
  with the video's duration (NULL when any viewing of it had no duration) and the final segment: for a
  known duration floor(duration) div 5; otherwise the highest watched segment, or the highest segment S
  below it whose user count is at least 20 times (dropoff threshold 0.05) the count of the next watched
  segment above it. A viewing from s to e covers segments floor(s) div 5 .. floor(e) div 5. Counted
  without expanding viewings into segments: +1 / -1 where each viewing (views) and each run of a learner's
  overlapping viewings (learners) starts and ends, summed along the video; only the segment rows of the
  result are generated.
grain: one row per (course_id, video_id, segment) watched
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: video_id, type: VARCHAR, description: "Video id"}
  - {name: segment, type: BIGINT, description: "Segment index (5 s each)"}
  - {name: num_users, type: BIGINT, description: "Distinct learners whose viewings covered the segment"}
  - {name: num_views, type: BIGINT, description: "Viewings covering the segment"}
  - {name: duration, type: DOUBLE, description: "Known duration (max reported), NULL when unknown"}
  - {name: final_segment, type: BIGINT, description: "Last segment reported for the video"}
--- */
WITH views AS (
    SELECT
        course_id,
        video_id,
        user_id,
        CAST(floor(start_offset) AS BIGINT) // 5 AS s0,
        CAST(floor(end_offset) AS BIGINT) // 5 AS s1
    FROM insights_video_viewings
),
starts AS (
    -- a viewing starts a new run of the learner's segments unless an earlier one reaches its first segment
    SELECT
        *,
        CASE
            WHEN s0 <= max(s1) OVER (
                PARTITION BY course_id, video_id, user_id ORDER BY s0, s1
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) THEN 0
            ELSE 1
        END AS is_new
    FROM views
),
numbered AS (
    SELECT
        *,
        sum(is_new) OVER (
            PARTITION BY course_id, video_id, user_id ORDER BY s0, s1 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS run
    FROM starts
),
runs AS (
    SELECT course_id, video_id, min(s0) AS s0, max(s1) AS s1
    FROM numbered
    GROUP BY course_id, video_id, user_id, run
),
deltas AS (
    SELECT course_id, video_id, s0 AS pos, 1 AS d_views, 0 AS d_users FROM views
    UNION ALL
    SELECT course_id, video_id, s1 + 1 AS pos, -1 AS d_views, 0 AS d_users FROM views
    UNION ALL
    SELECT course_id, video_id, s0 AS pos, 0 AS d_views, 1 AS d_users FROM runs
    UNION ALL
    SELECT course_id, video_id, s1 + 1 AS pos, 0 AS d_views, -1 AS d_users FROM runs
),
steps AS (
    SELECT course_id, video_id, pos, sum(d_views) AS d_views, sum(d_users) AS d_users
    FROM deltas
    GROUP BY course_id, video_id, pos
),
levels AS (
    SELECT
        course_id,
        video_id,
        pos AS first_segment,
        lead(pos) OVER (
            PARTITION BY course_id, video_id ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) - 1 AS last_segment,
        sum(d_views) OVER (
            PARTITION BY course_id, video_id ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS num_views,
        sum(d_users) OVER (
            PARTITION BY course_id, video_id ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS num_users
    FROM steps
),
usage AS (
    SELECT
        course_id,
        video_id,
        unnest(generate_series(first_segment, last_segment)) AS segment,
        CAST(num_users AS BIGINT) AS num_users,
        CAST(num_views AS BIGINT) AS num_views
    FROM levels
    WHERE num_views > 0 AND last_segment >= first_segment
),
durations AS (
    SELECT
        course_id,
        video_id,
        CASE WHEN count(*) = count(duration) THEN max(duration) END AS duration
    FROM insights_video_viewings
    GROUP BY course_id, video_id
),
drops AS (
    SELECT
        *,
        max(CAST(num_users AS BIGINT)) OVER (
            PARTITION BY course_id, video_id ORDER BY segment ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING
        ) AS users_above
    FROM usage
),
inferred AS (
    SELECT
        course_id,
        video_id,
        coalesce(
            max(CASE WHEN users_above IS NOT NULL AND users_above <= num_users * 0.05 THEN segment END),
            max(segment)
        ) AS inferred_final
    FROM drops
    GROUP BY course_id, video_id
)
SELECT
    u.course_id AS course_id,
    u.video_id AS video_id,
    u.segment AS segment,
    u.num_users AS num_users,
    u.num_views AS num_views,
    d.duration AS duration,
    CASE
        WHEN d.duration IS NULL THEN i.inferred_final
        ELSE CAST(floor(d.duration) AS BIGINT) // 5
    END AS final_segment
FROM usage AS u
INNER JOIN durations AS d ON d.course_id = u.course_id AND d.video_id = u.video_id
INNER JOIN inferred AS i ON i.course_id = u.course_id AND i.video_id = u.video_id
