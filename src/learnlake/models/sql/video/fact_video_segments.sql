/* ---
description: >
  Which seconds of each video each learner watched, and how often (Aspects' fact_video_segments).
  `initialized` statements are ignored. Per learner and video, statements are ordered by time (on a tie,
  stop-type statements sort before `played`); each `played` opens an interval that ends at the last
  non-play statement (paused, seeked at its time-from, completed, terminated) before the learner's next
  `played`. When the end is after the start, every whole second from max(start, 1) to the end inclusive
  is a watched segment; watch_count is how many intervals covered it. Difference from Aspects: Aspects'
  materialized view pairs plays and stops within one insert batch only, so an interval split across
  batches is lost; here all of a learner's statements are paired (what Aspects' full refresh computes).
grain: one row per (org, course_key, object_id, actor_id, watched_segment)
materialization: table
unique_key: [org, course_key, object_id, actor_id, watched_segment]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Video IRI"}
  - {name: video_duration, type: BIGINT, description: "Video length in seconds"}
  - {name: watched_segment, type: BIGINT, description: "Second of the video (1-based)"}
  - {name: watch_count, type: BIGINT, description: "Times the learner watched that second"}
--- */
WITH ev AS (
    SELECT
        org, course_key, actor_id, object_id, emission_time_long, event_id, video_position, video_duration,
        CASE WHEN verb_id = 'https://w3id.org/xapi/video/verbs/played' THEN 1 ELSE 0 END AS is_play
    FROM video_playback_events
    WHERE verb_id <> 'http://adlnet.gov/expapi/verbs/initialized'
),
numbered AS (
    SELECT
        *,
        sum(is_play) OVER (
            PARTITION BY org, course_key, actor_id, object_id
            ORDER BY emission_time_long, is_play, event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS play_no,
        row_number() OVER (
            PARTITION BY org, course_key, actor_id, object_id
            ORDER BY emission_time_long DESC, is_play DESC, event_id DESC
        ) AS rev
    FROM ev
),
stops AS (
    SELECT
        org, course_key, actor_id, object_id, play_no, video_position AS end_pos,
        row_number() OVER (PARTITION BY org, course_key, actor_id, object_id, play_no ORDER BY rev) AS last_first
    FROM numbered
    WHERE is_play = 0 AND play_no > 0
),
intervals AS (
    SELECT
        p.org AS org, p.course_key AS course_key, p.actor_id AS actor_id, p.object_id AS object_id,
        p.video_duration AS video_duration, p.video_position AS start_pos, s.end_pos AS end_pos,
        dense_rank() OVER (ORDER BY p.org, p.course_key, p.actor_id, p.object_id) AS vid
    FROM numbered AS p
    INNER JOIN stops AS s
        ON s.org = p.org AND s.course_key = p.course_key AND s.actor_id = p.actor_id
        AND s.object_id = p.object_id AND s.play_no = p.play_no AND s.last_first = 1
    WHERE p.is_play = 1 AND s.end_pos > p.video_position
),
viewers AS (
    SELECT vid, org, course_key, actor_id, object_id, max(video_duration) AS video_duration
    FROM intervals
    GROUP BY vid, org, course_key, actor_id, object_id
),
bounds AS (
    -- coverage counted with +1 at each interval start and -1 after its end: no per-second grouping
    SELECT vid, greatest(start_pos, 1) AS pos, 1 AS delta FROM intervals
    UNION ALL
    SELECT vid, end_pos + 1 AS pos, -1 AS delta FROM intervals
),
steps AS (
    SELECT vid, pos, sum(delta) AS delta FROM bounds GROUP BY vid, pos
),
ranges AS (
    SELECT
        vid,
        pos AS range_start,
        lead(pos) OVER (
            PARTITION BY vid ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) - 1 AS range_end,
        sum(delta) OVER (PARTITION BY vid ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS watch_count
    FROM steps
),
counts AS (
    SELECT vid, watch_count, unnest(generate_series(range_start, range_end)) AS watched_segment
    FROM ranges
    WHERE watch_count > 0 AND range_end >= range_start
)
SELECT
    v.org AS org, v.course_key AS course_key, v.actor_id AS actor_id, v.object_id AS object_id,
    v.video_duration AS video_duration, c.watched_segment AS watched_segment, c.watch_count AS watch_count
FROM counts AS c
INNER JOIN viewers AS v ON v.vid = c.vid
