/* ---
description: >
  Which pages (navigated blocks) each learner visited (Aspects' fact_navigation_completion): each
  navigated block joined to the subsection that holds it, with the number of units in that subsection
  (page_count), the date of the last visit, and the section and subsection names. course_order is the
  subsection's position in the course.
grain: one row per (org, course_key, actor_id, block_id)
materialization: table
unique_key: [org, course_key, actor_id, block_id]
columns:
  - {name: visited_on, type: TIMESTAMP, description: "Time of the learner's last visit to the block"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: course_name, type: VARCHAR, description: "Course display name"}
  - {name: course_run, type: VARCHAR, description: "Course run"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: block_id, type: VARCHAR, description: "Navigated block"}
  - {name: section_block_id, type: VARCHAR, description: "Enclosing section"}
  - {name: subsection_block_id, type: VARCHAR, description: "Enclosing subsection"}
  - {name: section_with_name, type: VARCHAR, description: "'s:0:0 - section name'"}
  - {name: subsection_with_name, type: VARCHAR, description: "'s:ss:0 - subsection name'"}
  - {name: page_count, type: BIGINT, description: "Units (pages) in the subsection"}
  - {name: course_order, type: INTEGER, description: "Position of the subsection in the course"}
--- */
WITH visits AS (
    SELECT org, course_key, actor_id, block_id, max(emission_time) AS visited_on
    FROM navigation_events
    GROUP BY org, course_key, actor_id, block_id
),
pages AS (
    SELECT subsection_block_id, count(*) AS page_count
    FROM dim_course_blocks
    WHERE block_type = 'unit' AND subsection_block_id IS NOT NULL
    GROUP BY subsection_block_id
)
SELECT
    v.visited_on AS visited_on,
    v.org AS org,
    v.course_key AS course_key,
    b.course_name AS course_name,
    b.course_run AS course_run,
    v.actor_id AS actor_id,
    v.block_id AS block_id,
    b.section_block_id AS section_block_id,
    b.subsection_block_id AS subsection_block_id,
    b.section_with_name AS section_with_name,
    b.subsection_with_name AS subsection_with_name,
    coalesce(p.page_count, 0) AS page_count,
    sub.course_order AS course_order
FROM visits AS v
INNER JOIN dim_course_blocks AS b ON b.block_id = v.block_id
LEFT JOIN dim_course_blocks AS sub ON sub.block_id = b.subsection_block_id
LEFT JOIN pages AS p ON p.subsection_block_id = b.subsection_block_id
