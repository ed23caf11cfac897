/* ---
description: >
  Every course block with its place in the course (Aspects' dim_course_blocks): hierarchy numbers
  (`section:subsection:unit`), block type (section, subsection, unit or the XBlock type), the enclosing
  section and subsection ids and names, and the course's name and run. Difference from Aspects: a block
  outside any section or subsection has NULL section/subsection ids and names, where Aspects' ClickHouse
  left join gives '' (join_use_nulls=0).
grain: one row per block
materialization: view
unique_key: [block_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: course_name, type: VARCHAR, description: "Course display name"}
  - {name: course_run, type: VARCHAR, description: "Course run"}
  - {name: block_id, type: VARCHAR, description: "Usage key of the block"}
  - {name: section_block_id, type: VARCHAR, description: "Usage key of the enclosing section (NULL if none)"}
  - {name: subsection_block_id, type: VARCHAR, description: "Usage key of the enclosing subsection (NULL if none)"}
  - {name: block_name, type: VARCHAR, description: "Display name"}
  - {name: section_number, type: VARCHAR, description: "'s:0:0'"}
  - {name: subsection_number, type: VARCHAR, description: "'s:ss:0'"}
  - {name: hierarchy_location, type: VARCHAR, description: "'s:ss:u'"}
  - {name: display_name_with_location, type: VARCHAR, description: "'s:ss:u - name'"}
  - {name: course_order, type: INTEGER, description: "Position in course order"}
  - {name: graded, type: BOOLEAN, description: "Graded block"}
  - {name: block_type, type: VARCHAR, description: "section, subsection, unit, or the XBlock type (problem, video...)"}
  - {name: section_with_name, type: VARCHAR, description: "'s:0:0 - section name' of the enclosing section"}
  - {name: subsection_with_name, type: VARCHAR, description: "'s:ss:0 - subsection name' of the enclosing subsection"}
--- */
WITH blocks AS (
    SELECT
        location,
        block_name,
        course_key,
        graded,
        course_order,
        display_name_with_location,
        string_split(display_name_with_location, ' - ')[1] AS hierarchy_location,
        regexp_extract(location, 'type@([^+]+)', 1) AS xblock_type
    FROM dim_course_block_names
),
typed AS (
    SELECT
        *,
        concat(string_split(hierarchy_location, ':')[1], ':0:0') AS section_number,
        concat(string_split(hierarchy_location, ':')[1], ':', string_split(hierarchy_location, ':')[2], ':0')
            AS subsection_number,
        CASE xblock_type
            WHEN 'chapter' THEN 'section'
            WHEN 'sequential' THEN 'subsection'
            WHEN 'vertical' THEN 'unit'
            ELSE xblock_type
        END AS block_type
    FROM blocks
)
SELECT
    names.org AS org,
    b.course_key AS course_key,
    names.course_name AS course_name,
    names.course_run AS course_run,
    b.location AS block_id,
    sec.location AS section_block_id,
    sub.location AS subsection_block_id,
    b.block_name AS block_name,
    b.section_number AS section_number,
    b.subsection_number AS subsection_number,
    b.hierarchy_location AS hierarchy_location,
    b.display_name_with_location AS display_name_with_location,
    b.course_order AS course_order,
    b.graded AS graded,
    b.block_type AS block_type,
    sec.display_name_with_location AS section_with_name,
    sub.display_name_with_location AS subsection_with_name
FROM typed AS b
LEFT JOIN dim_course_names AS names ON names.course_key = b.course_key
LEFT JOIN typed AS sec
    ON sec.course_key = b.course_key AND sec.block_type = 'section' AND sec.hierarchy_location = b.section_number
LEFT JOIN typed AS sub
    ON sub.course_key = b.course_key AND sub.block_type = 'subsection'
    AND sub.hierarchy_location = b.subsection_number
