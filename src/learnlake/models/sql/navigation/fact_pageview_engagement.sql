/* ---
description: >
  Page engagement per learner and section / subsection (Aspects' fact_pageview_engagement): pages
  visited (distinct navigated blocks) against the pages in the subsection (summed over the visited
  subsections for a section) → `All pages viewed` or `At least one page viewed`. Rows come from visits,
  so `No pages viewed yet` cannot occur (as in Aspects). Blocks outside a named subsection are left out.
grain: one row per (org, course_key, actor_id, block_id, content_level)
materialization: view
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: block_id, type: VARCHAR, description: "Section or subsection block"}
  - {name: content_level, type: VARCHAR, description: "section or subsection"}
  - {name: section_subsection_name, type: VARCHAR, description: "'s:ss:0 - name' of the section or subsection"}
  - {name: pages_visited, type: BIGINT, description: "Distinct pages the learner visited"}
  - {name: page_count, type: BIGINT, description: "Pages in the section or subsection"}
  - {name: section_subsection_page_engagement, type: VARCHAR, description: "All pages viewed / At least one page viewed"}
  - {name: username, type: VARCHAR, description: "Username (personal data)"}
  - {name: name, type: VARCHAR, description: "Full name (personal data)"}
  - {name: email, type: VARCHAR, description: "Email (personal data)"}
--- */
WITH subsections AS (
    SELECT
        org, course_key, actor_id, section_block_id, section_with_name, subsection_block_id, subsection_with_name,
        count(DISTINCT block_id) AS pages_visited,
        max(page_count) AS page_count
    FROM fact_navigation_completion
    WHERE subsection_with_name IS NOT NULL AND subsection_with_name <> ''
    GROUP BY org, course_key, actor_id, section_block_id, section_with_name, subsection_block_id, subsection_with_name
),
levels AS (
    SELECT org, course_key, actor_id, subsection_block_id AS block_id, 'subsection' AS content_level,
        subsection_with_name AS section_subsection_name, pages_visited, page_count
    FROM subsections
    UNION ALL
    SELECT org, course_key, actor_id, section_block_id AS block_id, 'section' AS content_level,
        section_with_name AS section_subsection_name, sum(pages_visited) AS pages_visited, sum(page_count) AS page_count
    FROM subsections
    WHERE section_with_name IS NOT NULL
    GROUP BY org, course_key, actor_id, section_block_id, section_with_name
)
SELECT
    l.org AS org,
    l.course_key AS course_key,
    l.actor_id AS actor_id,
    l.block_id AS block_id,
    l.content_level AS content_level,
    l.section_subsection_name AS section_subsection_name,
    l.pages_visited AS pages_visited,
    l.page_count AS page_count,
    CASE
        WHEN l.pages_visited = 0 THEN 'No pages viewed yet'
        WHEN l.pages_visited >= l.page_count THEN 'All pages viewed'
        ELSE 'At least one page viewed'
    END AS section_subsection_page_engagement,
    u.username AS username,
    u.name AS name,
    u.email AS email
FROM levels AS l
LEFT JOIN dim_user_pii AS u ON u.external_user_id = l.actor_id
