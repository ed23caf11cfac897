"""Insights' weekly activity and student engagement reports.

Weekly activity reads `course_activity` (distinct learners per course and ISO week, summed over
the courses in scope). Engagement per week reads `student_engagement_weekly`. Engagement levels
classify each learner per metric as Insights' Learner Analytics did (module_engagement_metric_ranges:
below the course's 15th percentile low, from the 85th high), computed here from `module_engagement`
over the dates chosen in the filters rather than over the week before the report's end, so a past
course still shows its levels. The per-learner report (`student_engagement_report`, whole interval)
is rows about single learners: analysts need the personal-data grant, usernames and emails show
only to callers allowed to see personal data.
"""

from __future__ import annotations

from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.dashboards.insights_common import FILTERS, ROLES, model_columns, model_query
from learnlake.serve.i18n import N_

WEEKS = model_columns(time="interval_start")
WEEKLY = model_columns(time="end_date")
MODULES = model_columns(time='"date"')
WHOLE_INTERVAL = model_columns(time=None)  # the report's "all" bucket covers the whole interval

METRICS = (
    "problem_attempts",
    "problems_completed",
    "videos_viewed",
    "discussion_contributions",
    "days_active",
)
LABELS = {
    "week": N_("Week"),
    "week_end": N_("Week ending"),
    "active": N_("Active learners"),
    "attempted_problem": N_("Learners who attempted a problem"),
    "played_video": N_("Learners who played a video"),
    "posted_forum": N_("Learners who posted in the forum"),
    "active_learners": N_("Active learners"),
    "problem_attempts": N_("Problem attempts"),
    "problems_attempted": N_("Problems attempted"),
    "problems_completed": N_("Problems completed"),
    "problems_correct": N_("Problems correct"),
    "videos_viewed": N_("Videos viewed"),
    "videos_played": N_("Videos played"),
    "discussion_contributions": N_("Discussion contributions"),
    "forum_contributions": N_("Forum contributions"),
    "forum_posts": N_("Discussion posts"),
    "forum_responses": N_("Discussion responses"),
    "forum_comments": N_("Discussion comments"),
    "textbook_pages_viewed": N_("Textbook pages viewed"),
    "days_active": N_("Days active"),
    "level": N_("Engagement level"),
    "course_id": N_("Course"),
    "username": N_("Username"),
    "email": N_("Email"),
    "cohort": N_("Cohort"),
    "last_subsection_viewed": N_("Last subsection viewed"),
}

_PER_LEARNER = (
    "per AS (SELECT course_id, username, "
    "coalesce(sum(\"count\") FILTER (WHERE entity_type = 'problem' AND event = 'attempted'), 0)::BIGINT "
    "AS problem_attempts, "
    "count(DISTINCT entity_id) FILTER (WHERE entity_type = 'problem' AND event = 'completed') "
    "AS problems_completed, "
    "count(DISTINCT entity_id) FILTER (WHERE entity_type = 'video' AND event = 'viewed') AS videos_viewed, "
    "coalesce(sum(\"count\") FILTER (WHERE entity_type = 'discussion'), 0)::BIGINT "
    "AS discussion_contributions, "
    'count(DISTINCT "date") AS days_active FROM module_engagement WHERE {where} GROUP BY 1, 2)'
)
# per course and metric, Insights' ranges: low below the 15th percentile, high from the 85th
# (only when the two differ), normal in between; then learners per level and metric
_LEVELS = (
    f"WITH {_PER_LEARNER}, "
    "long AS (SELECT course_id, metric, CAST(value AS DOUBLE) AS value FROM "
    f"(UNPIVOT per ON {', '.join(METRICS)} INTO NAME metric VALUE value)), "
    "ranges AS (SELECT course_id, metric, quantile_cont(value, 0.15) AS p15, "
    "quantile_cont(value, 0.85) AS p85 FROM long GROUP BY 1, 2), "
    "levels AS (SELECT l.metric, CASE WHEN l.value < r.p15 THEN 'low' "
    "WHEN r.p85 > r.p15 AND l.value >= r.p85 THEN 'high' ELSE 'normal' END AS level "
    "FROM long l JOIN ranges r USING (course_id, metric)) "
    "SELECT level, "
    + ", ".join(f"count(*) FILTER (WHERE metric = '{m}') AS {m}" for m in METRICS)
    + " FROM levels GROUP BY level ORDER BY CASE level WHEN 'low' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END"
)

CHARTS = (
    Chart(
        "weekly_activity",
        N_("Weekly activity"),
        "line",
        model_query(
            "SELECT CAST(interval_start AS DATE) AS week, "
            "coalesce(sum(\"count\") FILTER (WHERE label = 'ACTIVE'), 0)::BIGINT AS active, "
            "coalesce(sum(\"count\") FILTER (WHERE label = 'ATTEMPTED_PROBLEM'), 0)::BIGINT AS "
            "attempted_problem, "
            "coalesce(sum(\"count\") FILTER (WHERE label = 'PLAYED_VIDEO'), 0)::BIGINT AS played_video, "
            "coalesce(sum(\"count\") FILTER (WHERE label = 'POSTED_FORUM'), 0)::BIGINT AS posted_forum "
            "FROM course_activity WHERE {where} GROUP BY 1 ORDER BY 1",
            {"where": WEEKS},
        ),
        x="week",
        y=("active", "attempted_problem", "played_video", "posted_forum"),
        width=2,
    ),
    Chart(
        "engagement_per_week",
        N_("Engagement per week"),
        "bar",
        model_query(
            "SELECT end_date AS week_end, count(*) FILTER (WHERE days_active > 0) AS active_learners, "
            "sum(problem_attempts)::BIGINT AS problem_attempts, sum(videos_played)::BIGINT AS videos_played, "
            "sum(forum_posts + forum_responses + forum_comments)::BIGINT AS forum_contributions "
            "FROM student_engagement_weekly WHERE {where} GROUP BY 1 ORDER BY 1",
            {"where": WEEKLY},
        ),
        x="week_end",
        y=("active_learners", "problem_attempts", "videos_played", "forum_contributions"),
    ),
    Chart(
        "engagement_levels",
        N_("Learners by engagement level"),
        "bar",
        model_query(_LEVELS, {"where": MODULES}),
        x="level",
        y=METRICS,
    ),
    Chart(
        "learner_engagement",
        N_("Student engagement report (one row per enrolled learner)"),
        "table",
        model_query(
            "SELECT course_id, username, email, cohort, days_active, problems_attempted, problem_attempts, "
            "problems_correct, videos_played, forum_posts, forum_responses, forum_comments, "
            "textbook_pages_viewed, last_subsection_viewed FROM student_engagement_report "
            "WHERE {where} AND interval_type = 'all' ORDER BY course_id, username",
            {"where": WHOLE_INTERVAL},
        ),
        per_learner=True,
        pii_columns=("username", "email"),
        width=2,
    ),
)

INSIGHTS_ENGAGEMENT = register(
    Dashboard(
        "insights_engagement",
        N_("Insights: engagement"),
        labelled(CHARTS, LABELS),
        roles=ROLES,
        filters=tuple(f for f in FILTERS if f != "grain"),
        description=N_(
            "Weekly activity and student engagement: who is active, how much, and who falls behind."
        ),
    )
)
