/* ---
description: Username, name and email by xAPI actor id (Aspects' dim_user_pii), the join dashboards use.
grain: one row per external_user_id
materialization: view
unique_key: [external_user_id]
columns:
  - {name: external_user_id, type: VARCHAR, description: "xAPI actor id (matches actor_id)"}
  - {name: username, type: VARCHAR, description: "Username"}
  - {name: name, type: VARCHAR, description: "Full name"}
  - {name: email, type: VARCHAR, description: "Email"}
--- */
SELECT external_user_id, username, name, email FROM user_pii
