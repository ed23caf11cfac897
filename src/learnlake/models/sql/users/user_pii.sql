/* ---
description: >
  Personal data per user (Aspects' user_pii dictionary): the latest user_profile row per user_id
  (greatest time_last_dumped) with the user's external xAPI id from external_id, or `mailto:<email>` for a
  user without one (statements then identify the learner by email). Empty unless personal data is stored
  (privacy.pii).
grain: one row per user_id
materialization: table
unique_key: [user_id]
columns:
  - {name: user_id, type: INTEGER, description: "LMS user id"}
  - {name: external_user_id, type: VARCHAR, description: "xAPI actor id: the external UUID, or mailto:<email>"}
  - {name: username, type: VARCHAR, description: "Username"}
  - {name: name, type: VARCHAR, description: "Full name"}
  - {name: email, type: VARCHAR, description: "Email"}
--- */
WITH profiles AS (
    SELECT
        user_id,
        username,
        name,
        email,
        row_number() OVER (PARTITION BY user_id ORDER BY time_last_dumped DESC NULLS LAST, id DESC) AS rn
    FROM user_profile
),
ids AS (
    SELECT
        user_id,
        external_user_id,
        row_number() OVER (PARTITION BY user_id ORDER BY time_last_dumped DESC NULLS LAST) AS rn
    FROM external_id
    WHERE external_id_type = 'xapi'
)
SELECT
    p.user_id AS user_id,
    coalesce(i.external_user_id, concat('mailto:', p.email)) AS external_user_id,
    p.username AS username,
    p.name AS name,
    p.email AS email
FROM profiles AS p
LEFT JOIN ids AS i ON i.user_id = p.user_id AND i.rn = 1
WHERE p.rn = 1
