"""Course comparison dashboard: the courses and runs in scope side by side, filterable by org and tag.

Aspects' Course Comparison Dashboard (specs/aspects.md §5.2: course info, enrollment counts,
learner performance and its breakdown, video engagement; per course and per run) plus completion
(learner_course_progress) and engagement over time. Queries are in `comparison_queries`.
"""

from __future__ import annotations

from learnlake.serve.dashboards import comparison_queries as q
from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.i18n import N_

LABELS = {
    "org": N_("Organization"),
    "course_key": N_("Course"),
    "course": N_("Course"),
    "course_name": N_("Course name"),
    "course_run": N_("Course run"),
    "runs": N_("Runs"),
    "tags": N_("Tags"),
    "enrollees": N_("Enrollees"),
    "active_learners": N_("Active learners"),
    "active_7d": N_("Active within the last 7 days"),
    "course_dashboard": N_("More details"),
    "enrollment_mode": N_("Enrollment track"),
    "learners": N_("Learners"),
    "period": N_("Period"),
    "enrollments": N_("Enrollments"),
    "learners_started": N_("Learners who started"),
    "avg_progress_pct": N_("Average progress (%)"),
    "completed": N_("Completed"),
    "completion_pct": N_("% completed"),
    "graded": N_("Graded"),
    "avg_grade_pct": N_("Average grade (%)"),
    "median_grade_pct": N_("Median grade (%)"),
    "passing": N_("Passing"),
    "passing_pct": N_("% passing"),
    "first_try_correct_pct": N_("% correct on the first try"),
    "passed": N_("Passed"),
    "active": N_("Active (not passed)"),
    "at_risk": N_("At risk"),
    "other": N_("Other"),
    "page_views": N_("Page views"),
    "page_viewers": N_("Learners viewing pages"),
    "video_plays": N_("Video plays"),
    "video_viewers": N_("Viewers"),
    "problem_attempts": N_("Problem attempts"),
    "problem_learners": N_("Learners attempting problems"),
    "correct_pct": N_("% correct"),
    "videos": N_("Videos"),
    "videos_watched": N_("Videos watched"),
    "avg_video_length_s": N_("Average video length (s)"),
    "viewers": N_("Viewers"),
    "watched_pct": N_("% watched"),
    "rewatched_pct": N_("% rewatched"),
}

CHARTS = (
    Chart(
        "course_info",
        N_("Course runs"),
        "table",
        q.COURSE_INFO,
        width=2,
        description=N_("Every course run in scope: its tags, enrollees and active learners."),
    ),
    Chart("course_metrics", N_("Courses (all runs)"), "table", q.COURSE_METRICS, width=2),
    Chart(
        "enrollments_by_mode",
        N_("Enrollees per course run and track"),
        "bar",
        q.ENROLLMENTS_BY_MODE,
        x="course",
        y=("learners",),
        series="enrollment_mode",
        width=2,
    ),
    Chart(
        "enrollments_over_time",
        N_("Cumulative enrollments per course run"),
        "line",
        q.ENROLLMENTS_OVER_TIME,
        x="period",
        y=("enrollments",),
        series="course",
        cumulative=True,
    ),
    Chart(
        "active_learners_over_time",
        N_("Active learners per course run"),
        "line",
        q.ACTIVE_LEARNERS_OVER_TIME,
        x="period",
        y=("learners",),
        series="course",
    ),
    Chart("completion", N_("Completion and progress"), "table", q.COMPLETION, width=2),
    Chart("learner_performance", N_("Grades and passing"), "table", q.LEARNER_PERFORMANCE, width=2),
    Chart(
        "learner_status",
        N_("Learner status per course run"),
        "bar",
        q.LEARNER_STATUS,
        x="course",
        y=("passed", "active", "at_risk", "other"),
        width=2,
    ),
    Chart("engagement", N_("Engagement per course run"), "table", q.ENGAGEMENT, width=2),
    Chart(
        "engagement_over_time",
        N_("Engagement over time"),
        "line",
        q.ENGAGEMENT_OVER_TIME,
        x="period",
        y=("page_views", "video_plays", "problem_attempts"),
        width=2,
    ),
    Chart("video_engagement", N_("Video engagement"), "table", q.VIDEO_ENGAGEMENT, width=2),
)

COMPARISON = register(
    Dashboard(
        "comparison",
        N_("Course comparison"),
        labelled(CHARTS, LABELS),
        roles=frozenset({"operator", "org_staff", "course_staff", "analyst"}),
        filters=("org", "tag", "course", "run", "start", "end", "grain"),
        description=N_(
            "The courses and runs you may see, side by side: enrollment, progress, grades, engagement."
        ),
    )
)
