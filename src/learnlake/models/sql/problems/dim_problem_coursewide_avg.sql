/* ---
description: >
  Each learner's result on each problem next to the course-wide averages (Aspects'
  dim_problem_coursewide_avg), from the last responses: correct_attempts_by_learner is the attempt count
  when the last response is correct (else 0), incorrect_attempts_by_learner when it is wrong; the
  course-wide columns average those per problem, and coursewide_percent_correct is the share of learners
  whose last response is correct.
grain: one row per (org, course_key, problem_id, actor_id)
materialization: table
unique_key: [org, course_key, problem_id, actor_id]
columns:
  - {name: org, type: VARCHAR, description: "Organization"}
  - {name: course_key, type: VARCHAR, description: "Course run key"}
  - {name: problem_id, type: VARCHAR, description: "Problem usage key"}
  - {name: problem_link, type: VARCHAR, description: "HTML link to the problem"}
  - {name: display_name_with_location, type: VARCHAR, description: "'s:ss:u - name'"}
  - {name: graded, type: BOOLEAN, description: "Graded problem"}
  - {name: actor_id, type: VARCHAR, description: "Learner's anonymous xAPI id"}
  - {name: correct_attempts_by_learner, type: BIGINT, description: "Attempts if the last response is correct, else 0"}
  - {name: incorrect_attempts_by_learner, type: BIGINT, description: "Attempts if the last response is wrong, else 0"}
  - {name: selected_learner_percent_correct, type: DOUBLE, description: "1 if the learner's last response is correct, else 0"}
  - {name: selected_learner_percent_incorrect, type: DOUBLE, description: "1 if it is wrong, else 0"}
  - {name: avg_correct_attempts_coursewide, type: DOUBLE, description: "Average of correct_attempts_by_learner over the problem's learners"}
  - {name: avg_incorrect_attempts_coursewide, type: DOUBLE, description: "Average of incorrect_attempts_by_learner"}
  - {name: coursewide_percent_correct, type: DOUBLE, description: "Share of learners whose last response is correct"}
--- */
WITH per_learner AS (
    SELECT
        org, course_key, problem_id, problem_link, display_name_with_location, graded, actor_id,
        CASE WHEN success THEN attempts ELSE 0 END AS correct_attempts_by_learner,
        CASE WHEN success THEN 0 ELSE attempts END AS incorrect_attempts_by_learner,
        CASE WHEN success THEN 1.0 ELSE 0.0 END AS selected_learner_percent_correct,
        CASE WHEN success THEN 0.0 ELSE 1.0 END AS selected_learner_percent_incorrect
    FROM dim_learner_last_response
),
per_problem AS (
    SELECT
        org, course_key, problem_id,
        avg(correct_attempts_by_learner) AS avg_correct_attempts_coursewide,
        avg(incorrect_attempts_by_learner) AS avg_incorrect_attempts_coursewide,
        avg(selected_learner_percent_correct) AS coursewide_percent_correct
    FROM per_learner
    GROUP BY org, course_key, problem_id
)
SELECT
    l.org AS org, l.course_key AS course_key, l.problem_id AS problem_id, l.problem_link AS problem_link,
    l.display_name_with_location AS display_name_with_location, l.graded AS graded, l.actor_id AS actor_id,
    l.correct_attempts_by_learner AS correct_attempts_by_learner,
    l.incorrect_attempts_by_learner AS incorrect_attempts_by_learner,
    l.selected_learner_percent_correct AS selected_learner_percent_correct,
    l.selected_learner_percent_incorrect AS selected_learner_percent_incorrect,
    p.avg_correct_attempts_coursewide AS avg_correct_attempts_coursewide,
    p.avg_incorrect_attempts_coursewide AS avg_incorrect_attempts_coursewide,
    p.coursewide_percent_correct AS coursewide_percent_correct
FROM per_learner AS l
INNER JOIN per_problem AS p ON p.org = l.org AND p.course_key = l.course_key AND p.problem_id = l.problem_id
