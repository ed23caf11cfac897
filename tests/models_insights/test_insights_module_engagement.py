"""Insights' module engagement (spec module_engagement.md) on a hand-made scenario.

Traps from the spec: entity ids keep their spelling (trimmed video ids, bare course-v1 hashes), forum
contributions count only *.created events and aggregate per topic, a learner with attempts and no
completion has an infinite ratio (stored as NULL bounds), a course with only zero problem metrics gets
normal [0, NULL) for them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import numpy as np
import pyarrow as pa
from insights_support import events_table, rows, settings_table

D1 = "edX/DemoX/Demo_Course"
D2 = "edX/DemoX/Demo_Course_2"
D3 = "course-v1:edX+DemoX+Demo_Course_2015"
V1 = "i4x-edX-DemoX-video-v1"
HASH = "0b9e39477cf34507a7a48f74be381fdd"


def _ev(
    day: int,
    user: str,
    event_type: str,
    payload: Any,
    course: str | None = D1,
    source: str = "server",
    page: str | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"user_id": 1}
    if course:
        context["course_id"] = course
    return {
        "username": user,
        "event_source": source,
        "event_type": event_type,
        "time": f"2015-04-{day:02d}T10:00:00+00:00",
        "context": context,
        "event": payload,
        "page": page,
    }


def _check(day: int, user: str, problem: str, success: str, course: str = D1) -> dict[str, Any]:
    return _ev(day, user, "problem_check", {"problem_id": problem, "success": success}, course)


EVENTS = [
    _check(8, "honor", "i4x://edX/DemoX/problem/p3", "correct"),  # before the analysis week
    _check(13, "honor", "i4x://edX/DemoX/problem/p1", "correct"),
    _check(13, "honor", "i4x://edX/DemoX/problem/p1", "incorrect"),
    _ev(13, "honor", "problem_check", "input_p1_2_1=choice_1", source="browser"),
    _ev(16, "honor", "play_video", '{"id": " i4x-edX-DemoX-video-v1 ", "currentTime": 0}', source="browser"),
    _ev(16, "audit", "play_video", {"id": V1}, source="mobile"),
    _ev(16, "audit", "edx.forum.thread.created", {"commentable_id": "t1"}),
    _ev(16, "audit", "edx.forum.thread.created", {"commentable_id": "t1"}),
    _ev(16, "audit", "edx.forum.comment.created", {"commentable_id": "t1"}),
    _ev(16, "audit", "edx.forum.thread.voted", {"commentable_id": "t1", "vote_value": "up"}),
    _check(13, "verified", "i4x://edX/DemoX/problem/p2", "incorrect"),
    _check(16, "verified", "i4x://edX/DemoX/problem/p2", "CORRECT"),
    _ev(
        16,
        "staff",
        "play_video",
        {"id": V1},
        course=None,
        source="browser",
        page="http://example.com/courses/edX/DemoX/Demo_Course/courseware/a/b/",
    ),  # course from the URL
    _ev(16, "a" * 31, "play_video", {"id": V1}, source="browser"),  # username too long: dropped
    _ev(16, "", "play_video", {"id": V1}, source="browser"),  # anonymous: dropped
    _check(13, "staff", "i4x://edX/DemoX_2/problem/p4", "incorrect", course=D2),
    _ev(16, "verified", "play_video", {"id": HASH}, course=D3, source="browser"),
    _ev(16, "verified", "play_video", {"id": ""}, course=D3, source="browser"),  # empty entity id: dropped
    _ev(17, "verified", "play_video", {"id": "late"}, course=D3, source="browser"),  # after the interval
]


@functools.cache
def _inputs() -> dict[str, pa.Table]:
    return {
        "tracking_events": events_table(EVENTS),
        "model_settings": settings_table(("2015-04-02", "2015-04-17")),
    }


def _d(day: int) -> dt.date:
    return dt.date(2015, 4, day)


def test_module_engagement_rows() -> None:
    cols = ["date", "course_id", "username", "entity_type", "entity_id", "event", "count"]
    want = [
        (_d(8), D1, "honor", "problem", "i4x://edX/DemoX/problem/p3", "attempted", 1),
        (_d(8), D1, "honor", "problem", "i4x://edX/DemoX/problem/p3", "completed", 1),
        (_d(13), D1, "honor", "problem", "i4x://edX/DemoX/problem/p1", "attempted", 2),
        (_d(13), D1, "honor", "problem", "i4x://edX/DemoX/problem/p1", "completed", 1),
        (_d(16), D1, "honor", "video", V1, "viewed", 1),
        (_d(16), D1, "audit", "video", V1, "viewed", 1),
        (_d(16), D1, "audit", "discussion", "t1", "contributed", 3),
        (_d(13), D1, "verified", "problem", "i4x://edX/DemoX/problem/p2", "attempted", 1),
        (_d(16), D1, "verified", "problem", "i4x://edX/DemoX/problem/p2", "attempted", 1),
        (_d(16), D1, "verified", "problem", "i4x://edX/DemoX/problem/p2", "completed", 1),
        (_d(16), D1, "staff", "video", V1, "viewed", 1),
        (_d(13), D2, "staff", "problem", "i4x://edX/DemoX_2/problem/p4", "attempted", 1),
        (_d(16), D3, "verified", "video", HASH, "viewed", 1),
    ]
    assert rows("module_engagement", _inputs(), cols) == sorted(
        want, key=lambda r: tuple((v is None, str(v)) for v in r)
    )


def test_weekly_summary() -> None:
    cols = [
        "course_id",
        "username",
        "start_date",
        "end_date",
        "problem_attempts",
        "problems_attempted",
        "problems_completed",
        "problem_attempts_per_completed",
        "videos_viewed",
        "discussion_contributions",
        "days_active",
    ]
    got = {(r[0], r[1]): r[2:] for r in rows("module_engagement_summary", _inputs(), cols)}
    inf = math.inf
    week = (_d(10), _d(17))
    assert got == {
        (D1, "honor"): (*week, 2, 1, 1, 2.0, 1, 0, 2),
        (D1, "audit"): (*week, 0, 0, 0, inf, 1, 3, 1),
        (D1, "verified"): (*week, 2, 1, 1, 2.0, 0, 0, 2),
        (D1, "staff"): (*week, 0, 0, 0, inf, 1, 0, 1),
        (D2, "staff"): (*week, 1, 1, 0, inf, 0, 0, 1),
        (D3, "verified"): (*week, 0, 0, 0, inf, 1, 0, 1),
    }


def _ranges(values: list[float]) -> list[tuple[str, float | None, float | None]]:
    """The spec's range rule; numpy's percentile is the reference (one value is both percentiles)."""
    if len(values) == 1:
        p15 = p85 = float(values[0])
    else:
        p15, p85 = (float(np.percentile(values, q)) for q in (15, 85)) if values else (0.0, 0.0)

    def fin(v: float) -> float | None:
        return None if math.isinf(v) else round(v, 9)

    out: list[tuple[str, float | None, float | None]] = []
    if p15 > 0:
        out.append(("low", 0.0, fin(p15)))
    if p15 == p85:
        out.append(("normal", fin(p15), None))
    else:
        out += [("normal", fin(p15), fin(p85)), ("high", fin(p85), None)]
    return out


def test_metric_ranges() -> None:
    cols = ["course_id", "metric", "range_type", "low_value", "high_value", "start_date", "end_date"]
    got = sorted((r[:5] for r in rows("module_engagement_metric_ranges", _inputs(), cols)), key=str)
    assert {r[5:] for r in rows("module_engagement_metric_ranges", _inputs(), cols)} == {(_d(10), _d(17))}
    values: dict[str, dict[str, list[float]]] = {
        D1: {
            "problem_attempts": [0, 0, 2, 2],
            "problems_attempted": [0, 0, 1, 1],
            "problems_completed": [0, 0, 1, 1],
            "problem_attempts_per_completed": [2.0, 2.0],
            "videos_viewed": [0, 1, 1, 1],
            "discussion_contributions": [0, 0, 0, 3],
        },
        D2: {
            "problem_attempts": [1],
            "problems_attempted": [1],
            "problems_completed": [0],
            "problem_attempts_per_completed": [math.inf],
            "videos_viewed": [0],
            "discussion_contributions": [0],
        },
        D3: {
            "problem_attempts": [0],
            "problems_attempted": [0],
            "problems_completed": [0],
            "problem_attempts_per_completed": [],
            "videos_viewed": [1],
            "discussion_contributions": [0],
        },
    }
    want = [(c, m, *r) for c, metrics in values.items() for m, v in metrics.items() for r in _ranges(v)]
    assert got == sorted(want, key=str)
    # the spec's named cases
    assert (D2, "problem_attempts_per_completed", "low", 0.0, None) in got
    assert (D2, "problem_attempts_per_completed", "normal", None, None) in got
    assert (D3, "problem_attempts_per_completed", "normal", 0.0, None) in got
