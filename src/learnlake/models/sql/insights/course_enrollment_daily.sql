/* ---
description: >
  Insights' course_enrollment_daily: per course and day, learners enrolled at the end of the day (count)
  and learners with any enrollment event so far, enrolled or not (cumulative_count).
grain: one row per (course_id, date)
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: date, type: DATE, description: "Day"}
  - {name: count, type: BIGINT, description: "Learners enrolled at the end of the day"}
  - {name: cumulative_count, type: BIGINT, description: "Learners with an enrollment event on or before the day"}
--- */
SELECT course_id, "date", sum(at_end) AS "count", count(*) AS cumulative_count
FROM insights_course_enrollment
GROUP BY course_id, "date"
