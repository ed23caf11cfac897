"""Special exam (edx-proctoring) attempt events: created and submitted, for timed, practice and
proctored exams."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnlake.synth.events.common import Event, Who, course_context, server_event


@dataclass(slots=True)
class ExamRef:
    """A special exam: a timed subsection."""

    exam_id: int
    content_id: str  # usage key of the sequential
    name: str
    kind: str  # "timed", "practice" or "proctored"
    time_limit_mins: int


def _data(
    x: ExamRef,
    who: Who,
    attempt_id: int,
    code: str,
    status: str,
    started: str | None,
    completed: str | None,
    elapsed: float | None,
) -> dict[str, Any]:
    return {
        "exam_id": x.exam_id,
        "exam_content_id": x.content_id,
        "exam_name": x.name,
        "exam_default_time_limit_mins": x.time_limit_mins,
        "exam_is_proctored": x.kind == "proctored",
        "exam_is_practice_exam": x.kind == "practice",
        "exam_is_active": True,
        "attempt_id": attempt_id,
        "attempt_user_id": who.user_id,
        "attempt_started_at": started,
        "attempt_completed_at": completed,
        "attempt_code": code,
        "attempt_allowed_time_limit_mins": x.time_limit_mins if started else None,
        "attempt_status": status,
        "attempt_event_elapsed_time_secs": elapsed,
    }


def attempt_created(who: Who, t: str, x: ExamRef, attempt_id: int, code: str, referer: str) -> Event:
    """The learner started an exam attempt (not yet timed)."""
    name = f"edx.special_exam.{x.kind}.attempt.created"
    data = _data(x, who, attempt_id, code, "created", None, None, None)
    ctx = course_context(who, "/api/edx_proctoring/v1/proctored_exam/attempt")
    return server_event(who, name, t, data, ctx, referer)


def attempt_submitted(
    who: Who,
    t: str,
    x: ExamRef,
    attempt_id: int,
    code: str,
    started: str,
    elapsed: float,
    referer: str,
) -> Event:
    """The learner submitted the exam (`started`/`t` are ISO times, `elapsed` seconds)."""
    name = f"edx.special_exam.{x.kind}.attempt.submitted"
    data = _data(x, who, attempt_id, code, "submitted", started, t, elapsed)
    ctx = course_context(who, f"/api/edx_proctoring/v1/proctored_exam/attempt/{attempt_id}")
    return server_event(who, name, t, data, ctx, referer)
