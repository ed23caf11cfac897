"""Grades: subsection grade calculated, course grade calculated (with letter grade)."""

from __future__ import annotations

from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement, score
from learnlake.xapi.enrollment import course_object
from learnlake.xapi.errors import XapiRejected, missing
from learnlake.xapi.fields import find, norm, sub
from learnlake.xapi.registry import register


def data_dict(event: dict[str, Any], *keys: str) -> dict[str, Any]:
    """ERB's `get_data("data")` (found anywhere), which must be a dict holding `keys`."""
    data = find(event, "data")
    if type(data) is not dict:
        raise XapiRejected("missing_field", f"event {event.get('name')!r} has no data object")
    for key in keys:
        if key not in data:
            raise missing(f"data.{key}", event.get("name"))
    return data


def earned_result(earned: Any, possible: Any) -> dict[str, Any]:
    """Score {min 0, max possible, raw earned, scaled earned/possible or 0}; success earned ≥ possible."""
    possible = possible or 0
    earned = earned or 0
    scaled = earned / possible if possible > 0 else 0
    return {"score": score(0, possible, earned, scaled), "success": bool(earned >= possible)}


@register("edx.grades.subsection.grade_calculated")
def subsection_graded(event: dict[str, Any], env: Env) -> list[Statement]:
    """A subsection's grade was (re)computed: object the subsection block, weighted score."""
    block = norm(sub(event, "data").get("block_id"))
    if block is None:
        raise missing("data.block_id", event.get("name"))
    obj = {"id": f"{env.xblock}{block}", "objectType": "Activity", "definition": {"type": C.ACT_RESOURCE}}
    data = data_dict(event, "weighted_total_possible", "weighted_total_earned")
    result = earned_result(data["weighted_total_earned"], data["weighted_total_possible"])
    return [env.build(event, C.EARNED, obj, result, env.default_activities(event))]


@register("edx.grades.course.grade_calculated")
def course_graded(event: dict[str, Any], env: Env) -> list[Statement]:
    """A course grade was computed: percent as score, letter grade (or "Fail") as classification."""
    obj = course_object(event, env, False)
    data = data_dict(event, "percent_grade")
    percent = data["percent_grade"] or 0
    letter = norm(sub(event, "data").get("letter_grade")) or "Fail"
    result = {
        "score": score(0, 1.0, percent, percent),
        "extensions": {C.EXT_GRADE_CLASSIFICATION: letter},
    }
    return [env.build(event, C.EARNED, obj, result, env.default_activities(event))]
