/* ---
description: >
  The latest published version of every course block (Aspects' dim_most_recent_course_blocks): the
  course_blocks row with the greatest time_last_dumped per location, with the section / subsection /
  unit numbers and the graded flag read from xblock_data_json. On learnlake's own lake, where each course
  load replaces the course's blocks, there is one row per location already and dump_id /
  time_last_dumped are NULL.
grain: one row per block location
materialization: table
unique_key: [location]
columns:
  - {name: location, type: VARCHAR, description: "Usage key of the block"}
  - {name: block_name, type: VARCHAR, description: "Display name of the block"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: graded, type: BOOLEAN, description: "Whether the block counts towards the grade (false when unknown)"}
  - {name: display_name_with_location, type: VARCHAR, description: "'section:subsection:unit - name'"}
  - {name: course_order, type: INTEGER, description: "Position of the block in course order (1-based)"}
  - {name: section, type: INTEGER, description: "Section number (0 outside sections)"}
  - {name: subsection, type: INTEGER, description: "Subsection number within the section"}
  - {name: unit, type: INTEGER, description: "Unit number within the subsection"}
  - {name: dump_id, type: VARCHAR, description: "Id of the course publish that wrote the row (Aspects' sink)"}
  - {name: time_last_dumped, type: VARCHAR, description: "When that publish was written"}
--- */
WITH ranked AS (
    SELECT
        location,
        display_name,
        course_key,
        xblock_data_json,
        "order",
        dump_id,
        time_last_dumped,
        row_number() OVER (PARTITION BY location ORDER BY time_last_dumped DESC NULLS LAST, "order") AS rn
    FROM course_blocks
)
SELECT
    location,
    display_name AS block_name,
    course_key,
    coalesce(CAST(json_extract(xblock_data_json, '$.graded') AS BOOLEAN), false) AS graded,
    concat(
        CAST(coalesce(CAST(json_extract(xblock_data_json, '$.section') AS INTEGER), 0) AS VARCHAR), ':',
        CAST(coalesce(CAST(json_extract(xblock_data_json, '$.subsection') AS INTEGER), 0) AS VARCHAR), ':',
        CAST(coalesce(CAST(json_extract(xblock_data_json, '$.unit') AS INTEGER), 0) AS VARCHAR), ' - ',
        display_name
    ) AS display_name_with_location,
    "order" AS course_order,
    coalesce(CAST(json_extract(xblock_data_json, '$.section') AS INTEGER), 0) AS section,
    coalesce(CAST(json_extract(xblock_data_json, '$.subsection') AS INTEGER), 0) AS subsection,
    coalesce(CAST(json_extract(xblock_data_json, '$.unit') AS INTEGER), 0) AS unit,
    dump_id,
    time_last_dumped
FROM ranked
WHERE rn = 1
