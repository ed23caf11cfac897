/* ---
description: >
  Insights' course_enrollment_mode_daily: per course, day and end-of-day mode, learners enrolled at the end
  of the day (count) and learners whose end-of-day mode it is, enrolled or not (cumulative_count; learners
  move between mode buckets, so this is not "ever enrolled in the mode").
grain: one row per (course_id, date, mode)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: date, type: DATE, description: "Day"}
  - {name: mode, type: VARCHAR, description: "Enrollment mode at the end of the day"}
  - {name: count, type: BIGINT, description: "Learners enrolled at the end of the day"}
  - {name: cumulative_count, type: BIGINT, description: "Learners in this mode bucket, enrolled or not"}
--- */
SELECT course_id, "date", mode, sum(at_end) AS "count", count(*) AS cumulative_count
FROM insights_course_enrollment
GROUP BY course_id, "date", mode
