"""Special exams (timed, practice, proctored): attempt created → initialized, submitted → terminated.

As in ERB, the fields are read under `event` (the tracking-log payload), and the attempt is a
grouping activity whose id is the bare attempt code.
"""

from __future__ import annotations

from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement, language_map
from learnlake.xapi.errors import XapiRejected
from learnlake.xapi.fields import norm, sub


def _exam(event: dict[str, Any], env: Env, verb: C.Verb, activity_type: str) -> list[Statement]:
    payload = sub(event, "event")
    name = language_map(C.EN, norm(payload.get("exam_name")), "event.exam_name")
    content_id = norm(payload.get("exam_content_id"))
    time_limit = norm(payload.get("exam_default_time_limit_mins"))
    obj: dict[str, Any] = {} if content_id is None else {"id": str(content_id)}
    obj["objectType"] = "Activity"
    obj["definition"] = {
        "name": name,
        "type": activity_type,
        "extensions": {C.EXT_TIME_LIMIT: time_limit} if time_limit is not None else {},
    }
    activities = env.default_activities(event)
    if activities is None:
        raise XapiRejected("missing_field", "an exam event needs context.course_id")
    attempt_ext: dict[str, Any] = {}
    for key, field in (
        (C.EXT_ATTEMPT_STARTED, "attempt_started_at"),
        (C.EXT_ATTEMPT_COMPLETED, "attempt_completed_at"),
        (C.EXT_DURATION, "attempt_event_elapsed_time_secs"),
        (C.EXT_ATTEMPT_ID, "attempt_id"),
    ):
        value = norm(payload.get(field))
        if value is not None:
            attempt_ext[key] = value
    code = norm(payload.get("attempt_code"))
    attempt: dict[str, Any] = {} if code is None else {"id": str(code)}
    attempt["objectType"] = "Activity"
    attempt["definition"] = {"name": name, "type": C.ACT_ATTEMPT, "extensions": attempt_ext}
    activities = {"parent": activities["parent"], "grouping": [attempt]}
    return [env.build(event, verb, obj, None, activities)]


def _register(kind: str, activity_type: str) -> None:
    from learnlake.xapi.registry import register

    for action, verb in (("created", C.INITIALIZED), ("submitted", C.TERMINATED)):

        def transform(event: dict[str, Any], env: Env, verb: C.Verb = verb) -> list[Statement]:
            return _exam(event, env, verb, activity_type)

        transform.__name__ = f"{kind}_exam_{action}"
        transform.__doc__ = f"A {kind} exam attempt was {action}."
        register(f"edx.special_exam.{kind}.attempt.{action}")(transform)


_register("timed", C.ACT_TIMED_ASSESSMENT)
_register("practice", C.ACT_PRACTICE_ASSESSMENT)
_register("proctored", C.ACT_PROCTORED_ASSESSMENT)
