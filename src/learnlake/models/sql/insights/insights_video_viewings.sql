/* ---
description: >
  Video viewings as Insights' video report defines them. Per (user, course, video), play/pause/seek/stop
  events are sorted by time (ties by event type name). A play opens a viewing (replacing an open one); the
  next pause/stop closes it at its currentTime (pause: 0 when absent), a seek at its old_time. The start is
  the new_time of the last closing event when that was a seek (players report a stale currentTime after a
  seek), else the play's currentTime. Kept only when end >= start, end - start >= 0.25 s and, when the
  play carried a duration, end <= duration + 1. Events need context.user_id, a course (context, else the
  page URL), a video id and positions that are numbers in [0, 36000]. Only viewings that start inside the
  model_settings interval are returned.
grain: one row per kept viewing
materialization: view
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: video_id, type: VARCHAR, description: "Video id from the payload (encoded_module_id)"}
  - {name: user_id, type: BIGINT, description: "Learner"}
  - {name: start_time, type: TIMESTAMP, description: "Time of the play event"}
  - {name: start_offset, type: DOUBLE, description: "Position the viewing starts at (s)"}
  - {name: end_offset, type: DOUBLE, description: "Position the viewing ends at (s)"}
  - {name: duration, type: DOUBLE, description: "Video duration carried by the play event; NULL when unknown"}
--- */
WITH ev AS (
    SELECT
        coalesce(e.context_course_id, CASE WHEN NOT e.context_course_invalid THEN e.url_course_id END) AS course_id,
        e.p_id AS video_id,
        e.user_id AS user_id,
        e."time" AS "time",
        e.event_date AS event_date,
        e.event_type AS event_type,
        CASE
            WHEN e.event_type = 'pause_video' AND NOT e.p_has_current_time THEN 0.0
            ELSE e.p_current_time
        END AS current_pos,
        e.p_new_time AS new_pos,
        e.p_old_time AS old_pos,
        e.p_duration AS duration
    FROM insights_events AS e
    WHERE e.event_type IN ('play_video', 'pause_video', 'seek_video', 'stop_video')
        AND e.user_id IS NOT NULL
        AND e.p_id IS NOT NULL AND e.p_id <> ''
),
valid AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY user_id, course_id, video_id ORDER BY "time", event_type) AS seq
    FROM ev
    WHERE course_id IS NOT NULL
        AND (
            (event_type <> 'seek_video' AND current_pos IS NOT NULL
                AND current_pos >= 0 AND current_pos <= 36000)
            OR (event_type = 'seek_video' AND new_pos IS NOT NULL AND old_pos IS NOT NULL
                AND new_pos >= 0 AND new_pos <= 36000 AND old_pos >= 0 AND old_pos <= 36000)
        )
),
flagged AS (
    SELECT
        *,
        CASE
            WHEN event_type <> 'play_video'
                AND max(event_type) OVER (
                    PARTITION BY user_id, course_id, video_id ORDER BY seq ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING
                ) = 'play_video'
                THEN seq
        END AS closer_seq
    FROM valid
),
with_closer AS (
    SELECT
        *,
        max(closer_seq) OVER (
            PARTITION BY user_id, course_id, video_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS last_closer_seq
    FROM flagged
),
viewings AS (
    SELECT
        p.course_id AS course_id,
        p.video_id AS video_id,
        p.user_id AS user_id,
        p."time" AS start_time,
        p.event_date AS start_date,
        CASE WHEN c.event_type = 'seek_video' THEN c.new_pos ELSE p.current_pos END AS start_offset,
        CASE WHEN n.event_type = 'seek_video' THEN n.old_pos ELSE n.current_pos END AS end_offset,
        p.duration AS duration
    FROM with_closer AS p
    INNER JOIN valid AS n
        ON n.user_id = p.user_id AND n.course_id = p.course_id AND n.video_id = p.video_id AND n.seq = p.seq + 1
    LEFT JOIN valid AS c
        ON c.user_id = p.user_id AND c.course_id = p.course_id AND c.video_id = p.video_id
        AND c.seq = p.last_closer_seq
    WHERE p.event_type = 'play_video' AND n.event_type <> 'play_video'
)
SELECT
    v.course_id AS course_id,
    v.video_id AS video_id,
    v.user_id AS user_id,
    v.start_time AS start_time,
    v.start_offset AS start_offset,
    v.end_offset AS end_offset,
    v.duration AS duration
FROM viewings AS v
CROSS JOIN insights_settings AS s
WHERE (v.duration IS NULL OR v.end_offset <= v.duration + 1)
    AND v.end_offset >= v.start_offset
    AND v.end_offset - v.start_offset >= 0.25
    AND (s.interval_start IS NULL OR v.start_date >= s.interval_start)
    AND (s.interval_end IS NULL OR v.start_date < s.interval_end)
