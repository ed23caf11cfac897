"""Enrollment (activated, mode changed, deactivated) and course pass/fail: the course is the object."""

from __future__ import annotations

from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement
from learnlake.xapi.errors import missing
from learnlake.xapi.fields import norm, sub
from learnlake.xapi.registry import register


def course_object(event: dict[str, Any], env: Env, mode_extension: bool) -> dict[str, Any]:
    """The course as an activity, name in `en` (omitted when unknown); optionally the mode extension."""
    course_id = env.course_id(event)
    if course_id is None:
        raise missing("context.course_id", event.get("name"))
    name = env.course_name(course_id)
    definition: dict[str, Any] = {"name": {C.EN: name} if name is not None else {}, "type": C.ACT_COURSE}
    if mode_extension:
        mode = norm(sub(event, "data").get("mode"))
        definition["extensions"] = {C.EXT_ACROSSX_TYPE: mode} if mode is not None else {}
    return {"id": f"{env.course_prefix}{course_id}", "objectType": "Activity", "definition": definition}


def _course_event(verb: C.Verb) -> Any:
    def transform(event: dict[str, Any], env: Env) -> list[Statement]:
        return [env.build(event, verb, course_object(event, env, True))]

    transform.__name__ = f"course_{verb.display}"
    transform.__doc__ = f"A learner {verb.display} a course (object: the course, mode extension)."
    return transform


register("edx.course.enrollment.activated", "edx.course.enrollment.mode_changed")(_course_event(C.REGISTERED))
register("edx.course.enrollment.deactivated")(_course_event(C.UNREGISTERED))
register("edx.course.grade.passed.first_time", "edx.course.grade.now_passed")(_course_event(C.PASSED))
register("edx.course.grade.now_failed")(_course_event(C.FAILED))
