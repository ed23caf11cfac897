/* ---
description: >
  Video engagement per learner and section / subsection (Aspects' fact_video_engagement): distinct
  videos with at least one watched second against the videos in the subsection → `No videos viewed
  yet`, `At least one video viewed` or `All videos viewed`; a section sums its subsections. Difference
  from Aspects: Aspects' full join yields rows with an empty actor for unwatched subsections; here every
  learner who watched any video of the course gets a row for every subsection with videos (so `No
  videos viewed yet` is per learner), and no row has an empty actor.
grain: one row per (org, course_key, actor_id, block_id, content_level)
materialization: view
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: block_id, type: VARCHAR, description: "Section or subsection block"}
  - {name: content_level, type: VARCHAR, description: "section or subsection"}
  - {name: section_subsection_name, type: VARCHAR, description: "Name with location"}
  - {name: videos_viewed, type: BIGINT, description: "Distinct videos watched"}
  - {name: num_videos, type: BIGINT, description: "Videos in the section or subsection"}
  - {name: section_subsection_video_engagement, type: VARCHAR, description: "No videos viewed yet / At least one video viewed / All videos viewed"}
  - {name: username, type: VARCHAR, description: "Username (personal data)"}
  - {name: name, type: VARCHAR, description: "Full name (personal data)"}
  - {name: email, type: VARCHAR, description: "Email (personal data)"}
--- */
WITH videos AS (
    SELECT org, course_key, block_id, section_block_id, section_with_name, subsection_block_id, subsection_with_name
    FROM dim_course_blocks
    WHERE block_type = 'video' AND subsection_block_id IS NOT NULL
),
watchers AS (
    SELECT DISTINCT org, course_key, actor_id FROM fact_video_segments
),
watched AS (
    SELECT DISTINCT org, course_key, actor_id, regexp_extract(object_id, '/xblock/(.+)$', 1) AS block_id
    FROM fact_video_segments
),
subsections AS (
    SELECT
        w.org AS org, w.course_key AS course_key, w.actor_id AS actor_id, v.section_block_id AS section_block_id,
        v.section_with_name AS section_with_name, v.subsection_block_id AS subsection_block_id,
        v.subsection_with_name AS subsection_with_name,
        count(DISTINCT s.block_id) AS videos_viewed,
        count(DISTINCT v.block_id) AS num_videos
    FROM watchers AS w
    INNER JOIN videos AS v ON v.org = w.org AND v.course_key = w.course_key
    LEFT JOIN watched AS s
        ON s.org = w.org AND s.course_key = w.course_key AND s.actor_id = w.actor_id AND s.block_id = v.block_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
levels AS (
    SELECT org, course_key, actor_id, subsection_block_id AS block_id, 'subsection' AS content_level,
        subsection_with_name AS section_subsection_name, videos_viewed, num_videos
    FROM subsections
    UNION ALL
    SELECT org, course_key, actor_id, section_block_id AS block_id, 'section' AS content_level,
        section_with_name AS section_subsection_name, sum(videos_viewed) AS videos_viewed, sum(num_videos) AS num_videos
    FROM subsections
    WHERE section_block_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT
    l.org AS org, l.course_key AS course_key, l.actor_id AS actor_id, l.block_id AS block_id,
    l.content_level AS content_level, l.section_subsection_name AS section_subsection_name,
    l.videos_viewed AS videos_viewed, l.num_videos AS num_videos,
    CASE
        WHEN l.videos_viewed = 0 THEN 'No videos viewed yet'
        WHEN l.videos_viewed >= l.num_videos THEN 'All videos viewed'
        ELSE 'At least one video viewed'
    END AS section_subsection_video_engagement,
    u.username AS username, u.name AS name, u.email AS email
FROM levels AS l
LEFT JOIN dim_user_pii AS u ON u.external_user_id = l.actor_id
