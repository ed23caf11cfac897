/* ---
description: >
  The latest version of each object_tag row (Aspects' dim_most_recent_object_tags): the row with the greatest
  time_last_dumped per id (the sink appends a row on every save).
grain: one row per id
materialization: table
unique_key: [id]
columns:
  - {name: id, type: INTEGER, description: "Object tag id"}
  - {name: object_id, type: VARCHAR, description: "Tagged object (course key or usage key)"}
  - {name: taxonomy, type: INTEGER, description: "Taxonomy id"}
  - {name: tag, type: INTEGER, description: "Tag id"}
  - {name: _value, type: VARCHAR, description: "Tag value"}
  - {name: _export_id, type: VARCHAR, description: "Taxonomy export id"}
  - {name: lineage, type: VARCHAR, description: "JSON list of the tag's ancestors' values"}
--- */
WITH ranked AS (
    SELECT
        id, object_id, taxonomy, tag, _value, _export_id, lineage,
        row_number() OVER (PARTITION BY id ORDER BY time_last_dumped DESC NULLS LAST) AS rn
    FROM object_tag
)
SELECT id, object_id, taxonomy, tag, _value, _export_id, lineage
FROM ranked
WHERE rn = 1
