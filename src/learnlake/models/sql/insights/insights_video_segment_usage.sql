/* ---
description: >
  Per video and 5-second segment, how many viewings and distinct learners covered it (Insights' usage map),
  with the video's duration (NULL when any viewing of it had no duration) and the final segment: for a
  known duration floor(duration) div 5; otherwise the highest watched segment, or the highest segment S
  below it whose user count is at least 20 times (dropoff threshold 0.05) the count of the next watched
  segment above it. A viewing from s to e covers segments floor(s) div 5 .. floor(e) div 5.
grain: one row per (course_id, video_id, segment) watched
materialization: view
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: video_id, type: VARCHAR, description: "Video id"}
  - {name: segment, type: BIGINT, description: "Segment index (5 s each)"}
  - {name: num_users, type: BIGINT, description: "Distinct learners whose viewings covered the segment"}
  - {name: num_views, type: BIGINT, description: "Viewings covering the segment"}
  - {name: duration, type: DOUBLE, description: "Known duration (max reported), NULL when unknown"}
  - {name: final_segment, type: BIGINT, description: "Last segment reported for the video"}
--- */
WITH segs AS (
    SELECT
        v.course_id AS course_id,
        v.video_id AS video_id,
        v.user_id AS user_id,
        CAST(unnest(range(
            CAST(floor(v.start_offset) AS BIGINT) // 5, CAST(floor(v.end_offset) AS BIGINT) // 5 + 1
        )) AS BIGINT) AS segment
    FROM insights_video_viewings AS v
),
usage AS (
    SELECT course_id, video_id, segment, count(DISTINCT user_id) AS num_users, count(*) AS num_views
    FROM segs
    GROUP BY course_id, video_id, segment
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
