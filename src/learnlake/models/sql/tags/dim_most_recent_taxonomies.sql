/* ---
description: >
  The latest version of each taxonomy row (Aspects' dim_most_recent_taxonomies): the row with the greatest
  time_last_dumped per id (the sink appends a row on every save).
grain: one row per id
materialization: table
unique_key: [id]
columns:
  - {name: id, type: INTEGER, description: "Taxonomy id"}
  - {name: name, type: VARCHAR, description: "Taxonomy name"}
--- */
WITH ranked AS (
    SELECT
        id, name,
        row_number() OVER (PARTITION BY id ORDER BY time_last_dumped DESC NULLS LAST) AS rn
    FROM taxonomy
)
SELECT id, name
FROM ranked
WHERE rn = 1
