/* ---
description: >
  The `page` rows of fact_engagement_levels (the roll-up shared by the three engagement facts).
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
SELECT
    org,
    course_key,
    actor_id,
    block_id,
    content_level,
    section_subsection_name,
    done AS pages_visited,
    total AS page_count,
    engagement AS section_subsection_page_engagement,
    username,
    name,
    email
FROM fact_engagement_levels
WHERE kind = 'page'
