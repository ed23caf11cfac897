/* ---
description: >
  The shared roll-up of Aspects' three engagement facts (fact_problem_engagement, fact_video_engagement,
  fact_pageview_engagement, which select their `kind` from here): per learner, the items of each
  subsection the learner engaged with (`done`) against the items the subsection holds (`total`), and the
  same summed over the subsections of each section; then the engagement label and the learner's personal
  data. Items per kind: problem = distinct problems submitted (`evaluated`), only subsections with a
  submission; video = distinct videos with a watched second, every subsection with videos of a course
  where the learner watched any video (so 0 is possible); page = distinct units navigated to, from
  fact_navigation_completion, only named subsections visited. Labels: `No <items> <verb> yet` when none,
  `All <items> <verb>` when done >= total, else `At least one <item> <verb>` (verb: attempted for
  problems, viewed for videos and pages).
grain: one row per (kind, org, course_key, actor_id, block_id, content_level)
materialization: view
columns:
  - {name: kind, type: VARCHAR, description: "problem, video or page"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: block_id, type: VARCHAR, description: "Section or subsection block"}
  - {name: content_level, type: VARCHAR, description: "section or subsection"}
  - {name: section_subsection_name, type: VARCHAR, description: "Name with location"}
  - {name: done, type: BIGINT, description: "Items the learner engaged with"}
  - {name: total, type: BIGINT, description: "Items in the section or subsection"}
  - {name: engagement, type: VARCHAR, description: "No ... yet / At least one ... / All ..."}
  - {name: username, type: VARCHAR, description: "Username (personal data)"}
  - {name: name, type: VARCHAR, description: "Full name (personal data)"}
  - {name: email, type: VARCHAR, description: "Email (personal data)"}
--- */
WITH problem_counts AS (
    SELECT subsection_block_id, count(*) AS num_problems
    FROM dim_course_blocks
    WHERE block_type = 'problem' AND subsection_block_id IS NOT NULL
    GROUP BY subsection_block_id
),
problems AS (
    SELECT
        p.org AS org, p.course_key AS course_key, p.actor_id AS actor_id, b.section_block_id AS section_block_id,
        b.section_with_name AS section_with_name, b.subsection_block_id AS subsection_block_id,
        b.subsection_with_name AS subsection_with_name, count(DISTINCT p.problem_id) AS done
    FROM problem_events AS p
    INNER JOIN dim_course_blocks AS b ON b.block_id = p.problem_id
    WHERE p.verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' AND b.subsection_block_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
videos AS (
    SELECT org, course_key, block_id, section_block_id, section_with_name, subsection_block_id, subsection_with_name
    FROM dim_course_blocks
    WHERE block_type = 'video' AND subsection_block_id IS NOT NULL
),
watchers AS (
    SELECT DISTINCT org, course_key, actor_id FROM fact_video_segment_ranges
),
watched AS (
    SELECT DISTINCT org, course_key, actor_id, regexp_extract(object_id, '/xblock/(.+)$', 1) AS block_id
    FROM fact_video_segment_ranges
),
subsections AS (
    SELECT
        'problem' AS kind, a.org AS org, a.course_key AS course_key, a.actor_id AS actor_id,
        a.section_block_id AS section_block_id, a.section_with_name AS section_with_name,
        a.subsection_block_id AS subsection_block_id, a.subsection_with_name AS subsection_with_name,
        CAST(a.done AS BIGINT) AS done, CAST(c.num_problems AS BIGINT) AS total, a.section_block_id IS NOT NULL AS in_section
    FROM problems AS a
    INNER JOIN problem_counts AS c ON c.subsection_block_id = a.subsection_block_id
    UNION ALL
    SELECT
        'video' AS kind, w.org AS org, w.course_key AS course_key, w.actor_id AS actor_id,
        v.section_block_id AS section_block_id, v.section_with_name AS section_with_name,
        v.subsection_block_id AS subsection_block_id, v.subsection_with_name AS subsection_with_name,
        CAST(count(DISTINCT s.block_id) AS BIGINT) AS done, CAST(count(DISTINCT v.block_id) AS BIGINT) AS total,
        v.section_block_id IS NOT NULL AS in_section
    FROM watchers AS w
    INNER JOIN videos AS v ON v.org = w.org AND v.course_key = w.course_key
    LEFT JOIN watched AS s
        ON s.org = w.org AND s.course_key = w.course_key AND s.actor_id = w.actor_id AND s.block_id = v.block_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    UNION ALL
    SELECT
        'page' AS kind, org, course_key, actor_id, section_block_id, section_with_name, subsection_block_id,
        subsection_with_name, CAST(count(DISTINCT block_id) AS BIGINT) AS done,
        CAST(max(page_count) AS BIGINT) AS total,
        section_with_name IS NOT NULL AS in_section
    FROM fact_navigation_completion
    WHERE subsection_with_name IS NOT NULL AND subsection_with_name <> ''
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),
levels AS (
    SELECT kind, org, course_key, actor_id, subsection_block_id AS block_id, 'subsection' AS content_level,
        subsection_with_name AS section_subsection_name, done, total
    FROM subsections
    UNION ALL
    SELECT kind, org, course_key, actor_id, section_block_id AS block_id, 'section' AS content_level,
        section_with_name AS section_subsection_name, CAST(sum(done) AS BIGINT) AS done,
        CAST(sum(total) AS BIGINT) AS total
    FROM subsections
    WHERE in_section
    GROUP BY kind, org, course_key, actor_id, section_block_id, section_with_name
)
SELECT
    l.kind AS kind, l.org AS org, l.course_key AS course_key, l.actor_id AS actor_id, l.block_id AS block_id,
    l.content_level AS content_level, l.section_subsection_name AS section_subsection_name,
    l.done AS done, l.total AS total,
    CASE
        WHEN l.done = 0 THEN 'No ' || l.kind || 's ' || n.verb || ' yet'
        WHEN l.done >= l.total THEN 'All ' || l.kind || 's ' || n.verb
        ELSE 'At least one ' || l.kind || ' ' || n.verb
    END AS engagement,
    u.username AS username, u.name AS name, u.email AS email
FROM levels AS l
INNER JOIN (
    SELECT 'problem' AS kind, 'attempted' AS verb
    UNION ALL SELECT 'video' AS kind, 'viewed' AS verb
    UNION ALL SELECT 'page' AS kind, 'viewed' AS verb
) AS n ON n.kind = l.kind
LEFT JOIN dim_user_pii AS u ON u.external_user_id = l.actor_id
