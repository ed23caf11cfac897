/* ---
description: >
  Insights' `video_timeline`: per video, one row per watched 5-second segment up to the video's final
  segment (see insights_video_segment_usage), with distinct learners and viewings. Unwatched segments
  are absent.
grain: one row per (pipeline_video_id, segment)
materialization: table
columns:
  - {name: pipeline_video_id, type: VARCHAR, description: "course_id|video id"}
  - {name: segment, type: BIGINT, description: "Segment index (5 s each)"}
  - {name: num_users, type: BIGINT, description: "Distinct learners who watched the segment"}
  - {name: num_views, type: BIGINT, description: "Viewings that covered the segment"}
--- */
SELECT
    course_id || '|' || video_id AS pipeline_video_id,
    segment,
    num_users,
    num_views
FROM insights_video_segment_usage
WHERE segment <= final_segment
