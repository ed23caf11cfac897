/* ---
description: >
  The tags of each course with their taxonomy (Aspects' dim_most_recent_course_tags dictionary): the
  latest object tags whose object is a course, joined to the latest tags and taxonomies. Difference from
  Aspects: read from the object tags themselves, the source of the course's tags_str id list.
grain: one row per (course_key, tag_id)
materialization: view
unique_key: [course_key, tag_id]
columns:
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: tag_id, type: INTEGER, description: "Tag id"}
  - {name: tag, type: VARCHAR, description: "Tag value"}
  - {name: lineage, type: VARCHAR, description: "JSON list of the tag's ancestors' values"}
  - {name: taxonomy_name, type: VARCHAR, description: "Taxonomy name"}
--- */
SELECT DISTINCT
    o.object_id AS course_key,
    o.tag AS tag_id,
    t.value AS tag,
    t.lineage AS lineage,
    x.name AS taxonomy_name
FROM dim_most_recent_object_tags AS o
INNER JOIN dim_most_recent_tags AS t ON t.id = o.tag
LEFT JOIN dim_most_recent_taxonomies AS x ON x.id = t.taxonomy
WHERE o.object_id LIKE 'course-v1:%' OR o.object_id LIKE 'ccx-v1:%'
