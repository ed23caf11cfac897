/* ---
description: >
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
WITH counts AS (
    SELECT subsection_block_id, count(*) AS num_problems
    FROM dim_course_blocks
    WHERE block_type = 'problem' AND subsection_block_id IS NOT NULL
    GROUP BY subsection_block_id
),
attempted AS (
    SELECT
        p.org AS org, p.course_key AS course_key, p.actor_id AS actor_id, b.section_block_id AS section_block_id,
        b.section_with_name AS section_with_name, b.subsection_block_id AS subsection_block_id,
        b.subsection_with_name AS subsection_with_name, count(DISTINCT p.problem_id) AS problems_attempted
    FROM problem_events AS p
    INNER JOIN dim_course_blocks AS b ON b.block_id = p.problem_id
    WHERE p.verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' AND b.subsection_block_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
levels AS (
    SELECT a.org AS org, a.course_key AS course_key, a.actor_id AS actor_id, a.subsection_block_id AS block_id,
        'subsection' AS content_level,
        a.subsection_with_name AS section_subsection_name, a.problems_attempted AS problems_attempted,
        c.num_problems AS num_problems
    FROM attempted AS a
    INNER JOIN counts AS c ON c.subsection_block_id = a.subsection_block_id
    UNION ALL
    SELECT a.org AS org, a.course_key AS course_key, a.actor_id AS actor_id, a.section_block_id AS block_id,
        'section' AS content_level,
        a.section_with_name AS section_subsection_name, sum(a.problems_attempted) AS problems_attempted,
        sum(c.num_problems) AS num_problems
    FROM attempted AS a
    INNER JOIN counts AS c ON c.subsection_block_id = a.subsection_block_id
    WHERE a.section_block_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT
    l.org AS org, l.course_key AS course_key, l.actor_id AS actor_id, l.block_id AS block_id,
    l.content_level AS content_level, l.section_subsection_name AS section_subsection_name,
    l.problems_attempted AS problems_attempted, l.num_problems AS num_problems,
    CASE
        WHEN l.problems_attempted = 0 THEN 'No problems attempted yet'
        WHEN l.problems_attempted >= l.num_problems THEN 'All problems attempted'
        ELSE 'At least one problem attempted'
    END AS section_subsection_problem_engagement,
    u.username AS username, u.name AS name, u.email AS email
FROM levels AS l
LEFT JOIN dim_user_pii AS u ON u.external_user_id = l.actor_id
