/* ---
description: >
  Course names by course key (Aspects' dim_course_names dictionary): the latest course_overviews row
  (greatest `modified`) per (org, course_key). course_run is the last `+` segment of the key; tags_str is
  the JSON list of tag ids in course_data_json (empty when the course has none).
grain: one row per course_key
materialization: table
unique_key: [course_key]
columns:
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: course_name, type: VARCHAR, description: "Display name of the course"}
  - {name: course_run, type: VARCHAR, description: "Run part of the course key"}
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: tags_str, type: VARCHAR, description: "JSON list of the course's tag ids ('' when none)"}
--- */
WITH ranked AS (
    SELECT
        org,
        course_key,
        display_name,
        course_data_json,
        row_number() OVER (
            PARTITION BY org, course_key ORDER BY modified DESC NULLS LAST, time_last_dumped DESC NULLS LAST
        ) AS rn
    FROM course_overviews
)
SELECT
    course_key,
    display_name AS course_name,
    regexp_extract(course_key, '([^+]*)$', 1) AS course_run,
    org,
    coalesce(CAST(json_extract(course_data_json, '$.tags') AS VARCHAR), '') AS tags_str
FROM ranked
WHERE rn = 1
