"""What the Insights dashboards share: how their models are scoped, their roles and the label helper.

The Insights models (`models/sql/insights/`) name the course `course_id` and have no org, lms or
actor column, so every query slot declares the course column, derives the org from the course key
(`course-v1:ORG+…` or the older `ORG/COURSE/RUN`) and has no actor: a learner's scope matches
nothing here, and the site filter does not apply.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.framework import Query

# the org of a course key in either spelling
ORG_OF_COURSE = (
    "CASE WHEN starts_with({col}, 'course-v1:') THEN split_part(split_part({col}, ':', 2), '+', 1) "
    "ELSE split_part({col}, '/', 1) END"
)
# staff and analysts; learners have their own view (`me`), embeds the in-context fragments
ROLES = frozenset({"operator", "org_staff", "course_staff", "analyst"})
FILTERS = ("org", "course", "run", "start", "end", "grain")


def model_columns(time: str | None, course: str = "course_id", block: str | None = None) -> Columns:
    """The scope/filter columns of a slot reading an Insights model (`time`: the date column, if any)."""
    return Columns(
        org=ORG_OF_COURSE.format(col=course),
        course=course,
        actor=None,
        time=time,
        lms=None,
        block=block,
    )


def usage_key(course: str, block_type: str, block_id: str) -> str:
    """The usage key of a block whose hash id is logged without its course (course-v1 courses)."""
    return f"concat('block-v1:', split_part({course}, ':', 2), '+type@{block_type}+block@', {block_id})"


# what a chart shows while its model is not built (no LMS tables extracted yet, first run pending):
# no rows ("No data"), rather than an error
NOT_BUILT = Query("SELECT NULL AS not_built WHERE FALSE", {})


def model_query(sql: str, slots: dict[str, Columns]) -> Query:
    """A query on Insights models that answers no rows while a model it reads does not exist."""
    return Query(sql, slots, fallback=NOT_BUILT)
