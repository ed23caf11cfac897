/* ---
description: >
  Which seconds of each video each learner watched, and how often (Aspects' fact_video_segments): the
  ranges of fact_video_segment_ranges (see there how plays and stops are paired, and the difference from
  Aspects) expanded to one row per second. A view: the per-second rows are many (about 60 per video
  statement), so only the ranges are stored and readers filtering on a course or learner expand only
  theirs.
grain: one row per (org, course_key, object_id, actor_id, watched_segment)
materialization: view
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
SELECT
    org,
    course_key,
    actor_id,
    object_id,
    video_duration,
    unnest(generate_series(range_start, range_end)) AS watched_segment,
    watch_count
FROM fact_video_segment_ranges
