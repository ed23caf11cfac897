/* ---
description: >
  The `video` rows of fact_engagement_levels (the roll-up shared by the three engagement facts).
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
SELECT
    org,
    course_key,
    actor_id,
    block_id,
    content_level,
    section_subsection_name,
    done AS videos_viewed,
    total AS num_videos,
    engagement AS section_subsection_video_engagement,
    username,
    name,
    email
FROM fact_engagement_levels
WHERE kind = 'video'
