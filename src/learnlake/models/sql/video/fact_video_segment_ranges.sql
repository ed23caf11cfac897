/* ---
description: >
  Which seconds of each video each learner watched, and how often, as ranges: the compact form of
  fact_video_segments (which expands each range into one row per second, as a view, so the per-second
  rows are never written). `initialized` statements are ignored. Per learner and video, statements are
  ordered by time (on a tie, stop-type statements sort before `played`); each `played` opens an interval
  that ends at the last non-play statement (paused, seeked at its time-from, completed, terminated) before
  the learner's next `played`. When the end is after the start, the seconds from max(start, 1) to the end
  inclusive are watched; a range is a maximal run of seconds covered by the same number of intervals.
  Difference from Aspects: Aspects' materialized view pairs plays and stops within one insert batch only,
  so an interval split across batches is lost; here all of a learner's statements are paired (what
  Aspects' full refresh computes).
grain: one row per (org, course_key, object_id, actor_id, range_start)
materialization: table
unique_key: [org, course_key, object_id, actor_id, range_start]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: object_id, type: VARCHAR, description: "Video IRI"}
  - {name: video_duration, type: BIGINT, description: "Video length in seconds"}
  - {name: range_start, type: BIGINT, description: "First second of the range (1-based)"}
  - {name: range_end, type: BIGINT, description: "Last second of the range (inclusive)"}
  - {name: watch_count, type: BIGINT, description: "Times the learner watched each second of the range"}
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
    -- a position where as many intervals end as start changes nothing: no range boundary
    SELECT vid, pos, sum(delta) AS delta FROM bounds GROUP BY vid, pos HAVING sum(delta) <> 0
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
)
SELECT
    v.org AS org, v.course_key AS course_key, v.actor_id AS actor_id, v.object_id AS object_id,
    v.video_duration AS video_duration, r.range_start AS range_start, r.range_end AS range_end,
    r.watch_count AS watch_count
FROM ranges AS r
INNER JOIN viewers AS v ON v.vid = r.vid
WHERE r.watch_count > 0 AND r.range_end >= r.range_start
