"""At-risk learners dashboard: the at-risk segment, its enrollment, grades and engagement, and the list.

Aspects' At-Risk Learners dashboard (specs/aspects.md §5.2) on the `at_risk_learners` model. The
list is per-learner data: staff see the learners of their scope, analysts only with the
personal-data grant; names and emails appear only for callers shown personal data, and then the
page offers to copy the contact list (a chart with an `email` PII column gets that action). Each
listed learner links to the Individual learner dashboard.
"""

from __future__ import annotations

from learnlake.serve.dashboards import at_risk_queries as q
from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.i18n import N_

PII = ("username", "name", "email")

LABELS = {
    "learners": N_("Learners"),
    "org": N_("Organization"),
    "course_key": N_("Course"),
    "course_name": N_("Course name"),
    "enrollees": N_("Enrollees"),
    "at_risk": N_("At-risk learners"),
    "at_risk_pct": N_("% at risk"),
    "actor_id": N_("Learner id"),
    "username": N_("Username"),
    "name": N_("Full name"),
    "email": N_("Email"),
    "enrollment_mode": N_("Enrollment track"),
    "grade_pct": N_("Course grade (%)"),
    "grade_bucket": N_("Grade range"),
    "enrolled_at": N_("Enrolled"),
    "last_visited": N_("Last visit"),
    "days_since_visit": N_("Days since last visit"),
    "learner_view": N_("Learner view"),
    "period": N_("Period"),
    "page_views": N_("Page views"),
    "subsection": N_("Subsection"),
    "problem": N_("Problem"),
    "graded": N_("Graded"),
    "attempts": N_("Attempts (average)"),
    "correct_pct": N_("% correct (at-risk learners)"),
    "coursewide_correct_pct": N_("% correct (whole course)"),
}


def _engagement_labels(all_label: str, one_label: str) -> dict[str, str]:
    return {"engaged_all": all_label, "engaged_one": one_label}


CHARTS = (
    Chart("at_risk_count", N_("At-risk learners"), "number", q.AT_RISK_COUNT, y=("learners",)),
    Chart(
        "at_risk_per_course",
        N_("At-risk learners per course"),
        "table",
        q.AT_RISK_PER_COURSE,
        y=("at_risk",),
        width=2,
    ),
    Chart(
        "learners",
        N_("At-risk learners list"),
        "table",
        q.LEARNERS,
        pii_columns=PII,
        per_learner=True,
        width=2,
        description=N_("Failing, still enrolled, and no visit for more than the at-risk days."),
    ),
    Chart("last_visit", N_("Last visit date"), "bar", q.LAST_VISIT, x="period", y=("learners",)),
    Chart(
        "days_since_visit",
        N_("Days since last visit"),
        "bar",
        q.DAYS_SINCE_VISIT,
        x="days_since_visit",
        y=("learners",),
    ),
    Chart(
        "by_track",
        N_("Enrollees by enrollment track"),
        "bar",
        q.BY_TRACK,
        x="enrollment_mode",
        y=("learners",),
    ),
    Chart("enrollment_dates", N_("Enrollment dates"), "bar", q.ENROLLMENT_DATES, x="period", y=("learners",)),
    Chart(
        "grade_buckets",
        N_("Distribution of course grades"),
        "bar",
        q.GRADE_BUCKETS,
        x="grade_bucket",
        y=("learners",),
    ),
    Chart(
        "pages_over_time",
        N_("Page engagement over time"),
        "line",
        q.PAGES_OVER_TIME,
        x="period",
        y=("page_views", "learners"),
    ),
    Chart(
        "page_engagement",
        N_("Page engagement per subsection"),
        "bar",
        q.PAGE_ENGAGEMENT,
        x="subsection",
        y=("engaged_all", "engaged_one"),
        labels=_engagement_labels(N_("All pages viewed"), N_("At least one page viewed")),
        width=2,
    ),
    Chart(
        "video_engagement",
        N_("Video engagement per subsection"),
        "bar",
        q.VIDEO_ENGAGEMENT,
        x="subsection",
        y=("engaged_all", "engaged_one"),
        labels=_engagement_labels(N_("All videos viewed"), N_("At least one video viewed")),
        width=2,
    ),
    Chart(
        "problem_engagement",
        N_("Problem engagement per subsection"),
        "bar",
        q.PROBLEM_ENGAGEMENT,
        x="subsection",
        y=("engaged_all", "engaged_one"),
        labels=_engagement_labels(N_("All problems attempted"), N_("At least one problem attempted")),
        width=2,
    ),
    Chart(
        "problem_results",
        N_("Problem results"),
        "table",
        q.PROBLEM_RESULTS,
        y=("correct_pct",),
        width=2,
    ),
)

AT_RISK = register(
    Dashboard(
        "at_risk",
        N_("At-risk learners"),
        labelled(CHARTS, LABELS),
        roles=frozenset({"operator", "org_staff", "course_staff", "analyst", "embed"}),
        filters=("org", "course", "run", "start", "end", "grain"),
        description=N_(
            "Learners who are failing, still enrolled and have not visited their course recently: "
            "who they are, how they enrolled, their grades and what they did."
        ),
    )
)
