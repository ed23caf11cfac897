/* ---
description: >
  The `problem` rows of fact_engagement_levels (the roll-up shared by the three engagement facts).
  Problem engagement per learner and section / subsection (Aspects' fact_problem_engagement): distinct
  problems the learner submitted in the subsection against the problems it holds → `All problems
  attempted` or `At least one problem attempted`. Difference from Aspects: section rows are
  re-aggregated over the section's subsections (one row per learner and section); Aspects reuses each
  subsection's category, which can give several rows per section.
grain: one row per (org, course_key, actor_id, block_id, content_level)
materialization: view
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: block_id, type: VARCHAR, description: "Section or subsection block"}
  - {name: content_level, type: VARCHAR, description: "section or subsection"}
  - {name: section_subsection_name, type: VARCHAR, description: "Name with location"}
  - {name: problems_attempted, type: BIGINT, description: "Distinct problems submitted"}
  - {name: num_problems, type: BIGINT, description: "Problems in the section or subsection"}
  - {name: section_subsection_problem_engagement, type: VARCHAR, description: "All problems attempted / At least one problem attempted"}
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
    done AS problems_attempted,
    total AS num_problems,
    engagement AS section_subsection_problem_engagement,
    username,
    name,
    email
FROM fact_engagement_levels
WHERE kind = 'problem'
