/* ---
description: >
  Insights' student_engagement_weekly table (the forum counters report): the raw weekly engagement counters
  of insights_engagement_activity for every learner with any activity in a course. No enrollment join
  and no zero rows (see student_engagement_report for the per-enrolled-learner CSV report).
grain: one row per (end_date, course_id, username)
materialization: table
columns:
  - {name: end_date, type: DATE, description: "Last day of the bucket"}
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: username, type: VARCHAR, description: "Learner"}
  - {name: days_active, type: BIGINT, description: "Distinct days with a counted event"}
  - {name: problems_attempted, type: BIGINT, description: "Distinct problems submitted"}
  - {name: problem_attempts, type: BIGINT, description: "Server problem_check events"}
  - {name: problems_correct, type: BIGINT, description: "Distinct problems answered correctly"}
  - {name: videos_played, type: BIGINT, description: "Distinct videos played"}
  - {name: forum_posts, type: BIGINT, description: "Threads created"}
  - {name: forum_responses, type: BIGINT, description: "Responses created"}
  - {name: forum_comments, type: BIGINT, description: "Comments created"}
  - {name: forum_upvotes_given, type: BIGINT, description: "Up-votes given, undos subtracted"}
  - {name: forum_downvotes_given, type: BIGINT, description: "Down-votes given, undos subtracted"}
  - {name: forum_upvotes_received, type: BIGINT, description: "Up-votes received, undos subtracted"}
  - {name: forum_downvotes_received, type: BIGINT, description: "Down-votes received, undos subtracted"}
  - {name: textbook_pages_viewed, type: BIGINT, description: "book events"}
  - {name: last_subsection_viewed, type: VARCHAR, description: "Latest courseware subsection path"}
--- */
SELECT
    end_date, course_id, username, days_active, problems_attempted, problem_attempts, problems_correct,
    videos_played, forum_posts, forum_responses, forum_comments, forum_upvotes_given, forum_downvotes_given,
    forum_upvotes_received, forum_downvotes_received, textbook_pages_viewed, last_subsection_viewed
FROM insights_engagement_activity
WHERE interval_type = 'weekly'
