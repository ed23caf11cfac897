/* ---
description: >
  Insights' student_engagement_daily table (the forum counters report): the daily rows of
  insights_engagement_activity (the one table that computes the daily, weekly and all buckets, shared with
  student_engagement_weekly and student_engagement_report), for every learner with any activity in
  a course. No enrollment join and no zero rows (see student_engagement_report for the per-enrolled-learner
  CSV report).
grain: one row per (end_date, course_id, username)
materialization: view
columns_from: {model: insights_engagement_activity, exclude: [interval_type]}
--- */
SELECT * EXCLUDE (interval_type)
FROM insights_engagement_activity
WHERE interval_type = 'daily'
