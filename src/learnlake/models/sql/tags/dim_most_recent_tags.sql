/* ---
description: >
  The latest version of each tag row (Aspects' dim_most_recent_tags): the row with the greatest
  time_last_dumped per id (the sink appends a row on every save).
grain: one row per id
materialization: table
unique_key: [id]
columns:
  - {name: id, type: INTEGER, description: "Tag id"}
  - {name: taxonomy, type: INTEGER, description: "Taxonomy id"}
  - {name: parent, type: INTEGER, description: "Parent tag id (0 or NULL at the top)"}
  - {name: value, type: VARCHAR, description: "Tag value"}
  - {name: external_id, type: VARCHAR, description: "External id of the tag"}
  - {name: lineage, type: VARCHAR, description: "JSON list of the values from the top tag down"}
--- */
WITH ranked AS (
    SELECT
        id, taxonomy, parent, value, external_id, lineage,
        row_number() OVER (PARTITION BY id ORDER BY time_last_dumped DESC NULLS LAST) AS rn
    FROM tag
)
SELECT id, taxonomy, parent, value, external_id, lineage
FROM ranked
WHERE rn = 1
