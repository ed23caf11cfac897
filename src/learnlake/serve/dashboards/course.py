"""Course dashboard: enrollment, performance, pages, videos and problems of the courses in scope.

Aspects' Course Dashboard (specs/aspects.md §5.2); the queries are in `course_queries`. Charts that
are the same thing on another dashboard (grades and passing per run, the video timeline, partial
vs full views) use that dashboard's query object, so both always show the same numbers.
"""

from __future__ import annotations

from learnlake.serve.dashboards import comparison_queries, in_context_queries
from learnlake.serve.dashboards import course_queries as q
from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.i18n import N_

LABELS = {
    "learners": N_("Learners"),
    "enrollment_mode": N_("Enrollment track"),
    "enrollments": N_("Enrollments"),
    "period": N_("Period"),
    "verb": N_("Verb"),
    "events": N_("Events"),
    "org": N_("Organization"),
    "course_key": N_("Course"),
    "course_name": N_("Course name"),
    "course_run": N_("Course run"),
    "active_7d": N_("Active within the last 7 days"),
    "last_event": N_("Last event"),
    "section_name": N_("Section"),
    "page_views": N_("Page views"),
    "video": N_("Video"),
    "plays": N_("Plays"),
    "viewers": N_("Viewers"),
    "problem": N_("Problem"),
    "graded": N_("Graded"),
    "attempts": N_("Attempts"),
    "correct_attempts": N_("Correct attempts"),
    "correct_pct": N_("% correct"),
    "result": N_("Result"),
    "grade_bucket": N_("Grade range"),
    "passing": N_("Passing"),
    "enrollees": N_("Enrollees"),
    "avg_grade_pct": N_("Average grade (%)"),
    "median_grade_pct": N_("Median grade (%)"),
    "passing_pct": N_("% passing"),
    "first_try_correct_pct": N_("% correct on the first try"),
    "subsection": N_("Subsection"),
    "engaged_all": N_("All pages viewed"),
    "engaged_one": N_("At least one page viewed"),
    "avg_pages_visited": N_("Pages visited (average)"),
    "page_count": N_("Pages in the subsection"),
    "position": N_("Position in the video"),
    "rewatchers": N_("Viewers who watched it again"),
    "partial_views": N_("Partial views"),
    "full_views": N_("Full views"),
}

CHARTS = (
    Chart("current_enrollees", N_("Current enrollees"), "number", q.CURRENT_ENROLLEES, y=("learners",)),
    Chart(
        "course_information",
        N_("Course information"),
        "table",
        q.COURSE_INFORMATION,
        y=("learners",),
        width=2,
    ),
    Chart(
        "enrollees_per_track",
        N_("Enrollees per enrollment track"),
        "bar",
        q.ENROLLEES_PER_TRACK,
        x="enrollment_mode",
        y=("learners",),
    ),
    Chart(
        "enrollment_events",
        N_("Enrollment events by verb"),
        "bar",
        q.ENROLLMENT_EVENTS_BY_VERB,
        x="verb",
        y=("events",),
    ),
    Chart(
        "cumulative_enrollments",
        N_("Cumulative enrollments by track"),
        "area",
        q.CUMULATIVE_ENROLLMENTS,
        x="period",
        y=("enrollments",),
        series="enrollment_mode",
        cumulative=True,
        width=2,
    ),
    Chart(
        "grade_distribution",
        N_("Grade distribution"),
        "bar",
        q.GRADE_DISTRIBUTION,
        x="grade_bucket",
        y=("learners", "passing"),
        description=N_("Enrolled learners per course grade range, and how many of them pass."),
    ),
    Chart(
        "learner_performance",
        N_("Grades and passing"),
        "table",
        comparison_queries.LEARNER_PERFORMANCE,
        width=2,
    ),
    Chart(
        "pages_per_section",
        N_("Page engagement per section"),
        "bar",
        q.PAGES_PER_SECTION,
        x="section_name",
        y=("page_views", "learners"),
        width=2,
    ),
    Chart(
        "pages_per_subsection",
        N_("Page engagement per subsection"),
        "bar",
        q.PAGES_PER_SUBSECTION,
        x="subsection",
        y=("engaged_all", "engaged_one"),
        width=2,
    ),
    Chart(
        "video_plays",
        N_("Video plays"),
        "bar",
        q.VIDEO_PLAYS,
        x="video",
        y=("plays", "viewers"),
        width=2,
    ),
    Chart(
        "video_plays_over_time",
        N_("Video plays over time"),
        "line",
        q.VIDEO_PLAYS_OVER_TIME,
        x="period",
        y=("plays", "viewers"),
    ),
    Chart(
        "video_timeline",
        N_("Views across the video timeline"),
        "bar",
        in_context_queries.VIDEO_TIMELINE,
        x="position",
        y=("viewers", "rewatchers"),
        width=2,
        description=N_("Learners who watched each part of the videos in scope, all videos together."),
    ),
    Chart(
        "partial_full_views",
        N_("Partial and full views"),
        "bar",
        in_context_queries.PARTIAL_FULL_VIEWS,
        x="video",
        y=("partial_views", "full_views"),
        width=2,
    ),
    Chart(
        "problem_results_over_time",
        N_("Problem results over time"),
        "bar",
        q.PROBLEM_RESULTS_OVER_TIME,
        x="period",
        y=("attempts",),
        series="result",
    ),
    Chart(
        "problem_attempts",
        N_("Problem attempts and results"),
        "table",
        q.PROBLEM_ATTEMPTS,
        y=("attempts",),
        width=2,
    ),
)

COURSE = register(
    Dashboard(
        "course",
        N_("Course"),
        labelled(CHARTS, LABELS),
        roles=frozenset({"operator", "org_staff", "course_staff", "analyst", "embed"}),
        description=N_("Enrollment, grades, pages, videos and problems of the courses you may see."),
    )
)
