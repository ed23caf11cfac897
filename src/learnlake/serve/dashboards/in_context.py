"""In-context fragments: small dashboards about one problem, one video or one graded subsection.

Aspects shows these next to the block in Studio (specs/aspects.md §5.2, "In-context dashboards").
The LMS embeds them with an embed token whose `block` claim names the block (POST
/api/v1/embed/token, then /embed/<id>?token=…); staff open them with the `block` URL filter.
Queries are in `in_context_queries`.
"""

from __future__ import annotations

from learnlake.serve.dashboards import in_context_queries as q
from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.i18n import N_

ROLES = frozenset({"operator", "org_staff", "course_staff", "analyst", "embed"})
FILTERS = ("block", "org", "course", "start", "end", "grain")

LABELS = {
    "problem": N_("Problem"),
    "learners": N_("Learners"),
    "avg_attempts": N_("Average attempts"),
    "correct_first_pct": N_("% correct on the first try"),
    "correct_pct": N_("% correct"),
    "attempts": N_("Attempts"),
    "correct": N_("Correct"),
    "incorrect": N_("Incorrect"),
    "problem_part": N_("Part"),
    "response": N_("Response"),
    "period": N_("Period"),
    "position": N_("Position in the video"),
    "viewers": N_("Viewers"),
    "rewatchers": N_("Viewers who watched it again"),
    "video": N_("Video"),
    "partial_views": N_("Partial views"),
    "full_views": N_("Full views"),
    "plays": N_("Plays"),
    "score_range": N_("Score"),
    "avg_score_pct": N_("Average score (%)"),
}


PROBLEM = register(
    Dashboard(
        "in_context_problem",
        N_("Problem in context"),
        labelled(
            (
                Chart("problem_results", N_("Problem results"), "table", q.PROBLEM_RESULTS, width=2),
                Chart(
                    "attempts_distribution",
                    N_("Learners by number of attempts"),
                    "bar",
                    q.ATTEMPTS_DISTRIBUTION,
                    x="attempts",
                    y=("correct", "incorrect"),
                ),
                Chart(
                    "results_over_time",
                    N_("Submissions over time"),
                    "bar",
                    q.PROBLEM_RESULTS_OVER_TIME,
                    x="period",
                    y=("correct", "incorrect"),
                ),
                Chart(
                    "answer_distribution",
                    N_("Answers on the first try"),
                    "table",
                    q.ANSWER_DISTRIBUTION,
                    width=2,
                ),
            ),
            LABELS,
        ),
        roles=ROLES,
        filters=FILTERS,
        description=N_("Attempts, results and answers of one problem (pick it with the block filter)."),
    )
)

VIDEO = register(
    Dashboard(
        "in_context_video",
        N_("Video in context"),
        labelled(
            (
                Chart(
                    "video_timeline",
                    N_("Views across the video"),
                    "bar",
                    q.VIDEO_TIMELINE,
                    x="position",
                    y=("viewers", "rewatchers"),
                    width=2,
                ),
                Chart(
                    "partial_full_views",
                    N_("Partial and full views"),
                    "bar",
                    q.PARTIAL_FULL_VIEWS,
                    x="video",
                    y=("partial_views", "full_views"),
                ),
                Chart(
                    "views_over_time",
                    N_("Video plays over time"),
                    "line",
                    q.VIDEO_VIEWS_OVER_TIME,
                    x="period",
                    y=("plays", "viewers"),
                ),
            ),
            LABELS,
        ),
        roles=ROLES,
        filters=FILTERS,
        description=N_(
            "Which parts of one video learners watched, and how fully (pick it with the block filter)."
        ),
    )
)

SUBSECTION = register(
    Dashboard(
        "in_context_subsection",
        N_("Graded subsection in context"),
        labelled(
            (
                Chart(
                    "score_distribution",
                    N_("Score distribution"),
                    "bar",
                    q.SCORE_DISTRIBUTION,
                    x="score_range",
                    y=("learners",),
                ),
                Chart(
                    "problem_results",
                    N_("Final response results"),
                    "bar",
                    q.SUBSECTION_PROBLEM_RESULTS,
                    x="problem",
                    y=("correct", "incorrect"),
                ),
                Chart("problems", N_("Problems in the subsection"), "table", q.SUBSECTION_PROBLEMS, width=2),
            ),
            LABELS,
        ),
        roles=ROLES,
        filters=FILTERS,
        description=N_(
            "Scores and problem results of one graded subsection (pick it with the block filter)."
        ),
    )
)
