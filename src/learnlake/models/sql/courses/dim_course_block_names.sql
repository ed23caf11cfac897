/* ---
description: >
  Block names and positions by location (Aspects' dim_course_block_names dictionary), the lookup the
  problem, video and navigation models use to name blocks.
grain: one row per block location
materialization: view
unique_key: [location]
columns:
  - {name: location, type: VARCHAR, description: "Usage key of the block"}
  - {name: block_name, type: VARCHAR, description: "Display name of the block"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: graded, type: BOOLEAN, description: "Whether the block counts towards the grade"}
  - {name: course_order, type: INTEGER, description: "Position of the block in course order"}
  - {name: display_name_with_location, type: VARCHAR, description: "'section:subsection:unit - name'"}
--- */
SELECT location, block_name, course_key, graded, course_order, display_name_with_location
FROM dim_most_recent_course_blocks
