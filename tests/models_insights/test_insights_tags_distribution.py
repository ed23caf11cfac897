"""Insights' tags distribution (spec tags_distribution.md) on a hand-made scenario.

Events span years before the 'file date' (the interval decides), tags come from the latest submission
only (not a union), list values give one row each with the problem's full counts, correctness is the
exact string 'correct', and a problem whose latest submission has no tags has no rows.
"""

from __future__ import annotations

import functools
from typing import Any

import pyarrow as pa
from insights_support import events_table, rows, settings_table

E929 = "course-v1:edX+E929+2014_T2"
E930 = "course-v1:edX+E930+2014_T2"


def _check(
    when: str, course: str, problem: str, success: str, tags: dict[str, Any] | None, source: str = "server"
) -> dict[str, Any]:
    context: dict[str, Any] = {"course_id": course, "user_id": 3}
    if tags is not None:
        context["asides"] = {"tagging_aside": {"saved_tags": tags}}
    return {
        "username": "learner",
        "event_source": source,
        "event_type": "problem_check",
        "time": f"{when}+00:00",
        "context": context,
        "event": {"problem_id": problem, "success": success},
    }


P1, P2, P3 = (f"block-v1:edX+E929+2014_T2+type@problem+block@p{i}" for i in (1, 2, 3))
EVENTS = [
    _check("2012-01-05T10:00:00", E929, P1, "correct", {"difficulty": "Easy"}),
    _check(
        "2013-06-05T10:00:00",
        E929,
        P1,
        "incorrect",
        {"learning_outcome": ["Learned nothing", "Learned a few things"]},
    ),
    _check(
        "2014-12-05T10:00:00",
        E929,
        P1,
        "Correct",
        {"learning_outcome": ["Learned a lot", "Learned everything"], "difficulty": "Hard"},
    ),
    _check("2014-12-06T10:00:00", E929, P1, "correct", None, source="browser"),  # not a server event
    _check("2013-01-01T10:00:00", E929, P2, "correct", {"difficulty": "Medium"}),
    _check("2013-01-02T10:00:00", E929, P2, "correct", None),  # latest has no tags: no rows
    _check("2014-03-01T10:00:00", E930, P3, "correct", {"difficulty": "Easy"}),
    _check("2009-03-01T10:00:00", E930, P3, "correct", {"difficulty": "Old"}),  # before the interval
    {
        "username": "x",
        "event_source": "server",
        "event_type": "other_event_type_1",
        "time": "2014-01-01T00:00:00+00:00",
        "context": {"course_id": E929},
        "event": {},
    },
]


@functools.cache
def _inputs() -> dict[str, pa.Table]:
    return {
        "tracking_events": events_table(EVENTS),
        "model_settings": settings_table(("2010-01-01", "2020-01-01")),
    }


def test_tags_distribution() -> None:
    cols = [
        "course_id",
        "org_id",
        "module_id",
        "tag_name",
        "tag_value",
        "total_submissions",
        "correct_submissions",
    ]
    want = [
        (E929, "edX", P1, "learning_outcome", "Learned a lot", 3, 1),
        (E929, "edX", P1, "learning_outcome", "Learned everything", 3, 1),
        (E929, "edX", P1, "difficulty", "Hard", 3, 1),
        (E930, "edX", P3, "difficulty", "Easy", 1, 1),
    ]
    assert rows("tags_distribution", _inputs(), cols) == sorted(want, key=lambda r: tuple(str(v) for v in r))
