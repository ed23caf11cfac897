"""Insights' problem reports: answer distributions, per-problem results and the problem response report.

All read the `problem_response` model (each learner's latest answer to each problem part). The
distributions and summaries are aggregates; the response report has one row per learner and
answer, so analysts need the personal-data grant and usernames show only to callers allowed to see
personal data. The date filter applies to the learner's latest attempt. The distribution chart shows
the most answered problem part in scope, or the problem named by the `block` URL parameter.
"""

from __future__ import annotations

from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.dashboards.insights_common import FILTERS, ROLES, model_columns, model_query
from learnlake.serve.i18n import N_

RESPONSES = model_columns(time="TRY_CAST(last_attempt_date AS TIMESTAMPTZ)", block="problem_id")

LABELS = {
    "course_id": N_("Course"),
    "problem": N_("Problem"),
    "question": N_("Question"),
    "answer": N_("Answer"),
    "correct": N_("Correct"),
    "result": N_("Result"),
    "learners": N_("Learners"),
    "correct_pct": N_("% correct"),
    "attempts": N_("Attempts"),
    "attempts_per_learner": N_("Attempts per learner"),
    "username": N_("Username"),
    "score": N_("Score"),
    "max_score": N_("Maximum score"),
    "total_attempts": N_("Attempts"),
    "first_attempt_date": N_("First attempt"),
    "last_attempt_date": N_("Last attempt"),
    "problem_id": N_("Problem id"),
    "answer_id": N_("Answer id"),
}

CHARTS = (
    Chart(
        "answer_distribution_top",
        N_("Answer distribution of the most answered question"),
        "bar",
        model_query(
            "WITH r AS (SELECT * FROM problem_response WHERE {where}), "
            "top AS (SELECT problem_id, answer_id FROM r GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1) "
            "SELECT left(r.answer, 80) AS answer, "
            "CASE r.correct WHEN 'True' THEN 'correct' WHEN 'False' THEN 'incorrect' ELSE 'unknown' END "
            "AS result, count(*) AS learners, any_value(r.question) AS question "
            "FROM r JOIN top USING (problem_id, answer_id) GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 30",
            {"where": RESPONSES},
        ),
        x="answer",
        y=("learners",),
        series="result",
        width=2,
    ),
    Chart(
        "problem_results",
        N_("Problem results (latest answers)"),
        "table",
        model_query(
            "WITH r AS (SELECT course_id, problem_id, username, any_value(location) AS location, "
            "min(sort_idx) AS sort_idx, bool_and(correct = 'True') AS ok, max(total_attempts) AS attempts "
            "FROM problem_response WHERE {where} GROUP BY 1, 2, 3) "
            "SELECT course_id, any_value(location) AS problem, count(*) AS learners, "
            "round(100.0 * count(*) FILTER (WHERE ok) / count(*), 1) AS correct_pct, "
            "sum(attempts)::BIGINT AS attempts, round(avg(attempts), 2) AS attempts_per_learner "
            "FROM r GROUP BY course_id, problem_id "
            "ORDER BY course_id, min(sort_idx), problem, problem_id",
            {"where": RESPONSES},
        ),
        y=("learners",),
        width=2,
    ),
    Chart(
        "answer_distribution",
        N_("Answer distribution per question"),
        "table",
        model_query(
            "SELECT course_id, any_value(location) AS problem, any_value(question) AS question, "
            "answer, correct, count(*) AS learners FROM problem_response WHERE {where} "
            "GROUP BY course_id, problem_id, answer_id, answer, correct "
            "ORDER BY course_id, min(sort_idx), problem_id, answer_id, learners DESC, answer",
            {"where": RESPONSES},
        ),
        y=("learners",),
        width=2,
    ),
    Chart(
        "problem_response_report",
        N_("Problem response report (one row per learner and answer)"),
        "table",
        model_query(
            "SELECT course_id, username, location AS problem, question, answer, correct, score, max_score, "
            "total_attempts, first_attempt_date, last_attempt_date, problem_id, answer_id "
            "FROM problem_response WHERE {where} "
            "ORDER BY course_id, sort_idx, username, problem_id, answer_id",
            {"where": RESPONSES},
        ),
        per_learner=True,
        pii_columns=("username",),
        width=2,
    ),
)

INSIGHTS_PROBLEMS = register(
    Dashboard(
        "insights_problems",
        N_("Insights: problems"),
        labelled(CHARTS, LABELS),
        roles=ROLES,
        filters=tuple(f for f in FILTERS if f != "grain"),
        description=N_(
            "How learners answer each problem: answer distributions, results and the response report."
        ),
    )
)
