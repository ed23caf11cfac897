"""Individual learner dashboard: one learner's enrollment, grade, last visit, videos, problems and pages.

Aspects' Individual Learner dashboard (specs/aspects.md §5.2). Staff pick a learner with the
`learner` URL filter (their actor id, or their username for callers shown personal data) or from
the summary table; the learner's rows are read through the caller's scope, so a learner outside
it shows nothing. Without a learner the charts describe every learner in scope.
"""

from __future__ import annotations

from learnlake.serve.dashboards import individual_learner_queries as q
from learnlake.serve.dashboards.at_risk import LABELS as AT_RISK_LABELS
from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.i18n import N_

LABELS = {
    **AT_RISK_LABELS,
    "enrollment_status": N_("Enrollment status"),
    "approving_state": N_("Passed or failed"),
    "at_risk": N_("At risk"),
    "grade_pct": N_("Course grade (%)"),
    "pages": N_("Pages visited"),
    "videos": N_("Videos watched"),
    "problems": N_("Problems attempted"),
    "video_events": N_("Video events"),
    "problem_submissions": N_("Problem submissions"),
    "video": N_("Video"),
    "watched_pct": N_("% of the video watched"),
    "full_views": N_("Full views"),
    "partial_views": N_("Partial views"),
    "seconds_rewatched": N_("Seconds watched again"),
    "attempts": N_("Attempts"),
    "correct_pct": N_("% correct"),
    "coursewide_attempts": N_("Attempts (course average)"),
}

CHARTS = (
    Chart(
        "summary",
        N_("Learner summary"),
        "table",
        q.SUMMARY,
        pii_columns=("username", "name", "email"),
        per_learner=True,
        width=2,
        description=N_("Pick a learner here or with the learner filter."),
    ),
    Chart("grade", N_("Course grade (%)"), "number", q.GRADE, y=("grade_pct",)),
    Chart("pages_visited", N_("Pages visited"), "number", q.PAGES_VISITED, y=("pages",)),
    Chart("videos_watched", N_("Videos watched"), "number", q.VIDEOS_WATCHED, y=("videos",)),
    Chart("problems_attempted", N_("Problems attempted"), "number", q.PROBLEMS_ATTEMPTED, y=("problems",)),
    Chart(
        "activity",
        N_("Activity over time"),
        "bar",
        q.ACTIVITY,
        x="period",
        y=("page_views", "video_events", "problem_submissions"),
        width=2,
    ),
    Chart("videos", N_("Videos watched"), "table", q.VIDEOS, y=("watched_pct",), width=2),
    Chart(
        "video_engagement",
        N_("Video engagement per subsection"),
        "bar",
        q.VIDEOS_PER_SUBSECTION,
        x="subsection",
        y=("done", "total"),
        labels={"done": N_("Videos watched"), "total": N_("Videos in the subsection")},
        width=2,
    ),
    Chart("problems", N_("Problem attempts and results"), "table", q.PROBLEMS, y=("correct_pct",), width=2),
    Chart(
        "problem_engagement",
        N_("Problem engagement per subsection"),
        "bar",
        q.PROBLEMS_PER_SUBSECTION,
        x="subsection",
        y=("done", "total"),
        labels={"done": N_("Problems attempted"), "total": N_("Problems in the subsection")},
        width=2,
    ),
    Chart(
        "page_engagement",
        N_("Page engagement per subsection"),
        "bar",
        q.PAGES_PER_SUBSECTION,
        x="subsection",
        y=("done", "total"),
        labels={"done": N_("Pages visited"), "total": N_("Pages in the subsection")},
        width=2,
    ),
)

INDIVIDUAL_LEARNER = register(
    Dashboard(
        "learner",
        N_("Individual learner"),
        labelled(CHARTS, LABELS),
        roles=frozenset({"operator", "org_staff", "course_staff", "analyst", "embed"}),
        filters=("org", "course", "run", "learner", "start", "end", "grain"),
        description=N_(
            "One learner's enrollment, grade, last visit, videos, problems and pages. "
            "Without a learner: every learner you may see."
        ),
    )
)
