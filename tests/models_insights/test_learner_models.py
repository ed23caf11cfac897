"""The learner models beyond Aspects and Insights: progress/completion, forum activity, time on task."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pyarrow as pa
from insights_support import events_table, rows, settings_table

from learnlake.lake.layout import COURSE_BLOCKS_SCHEMA

K = "course-v1:Org+K+2024"
L = "course-v1:Org+L+2024"


def _block(kind: str, name: str) -> str:
    return f"block-v1:Org+K+2024+type@{kind}+block@{name}"


def _ev(
    when: str,
    user: int,
    event_type: str,
    payload: Any,
    course: str | None = K,
    source: str = "server",
    page: str | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"user_id": user}
    if course:
        context["course_id"] = course
    return {
        "username": f"u{user}",
        "event_source": source,
        "event_type": event_type,
        "time": f"2024-01-{when}+00:00",
        "context": context,
        "event": payload,
        "page": page,
    }


def _completion(when: str, user: int, block: str, value: float, course: str = K) -> dict[str, Any]:
    payload = {
        "user_id": user,
        "course_id": course,
        "block_id": block,
        "block_type": "x",
        "completion": value,
    }
    return _ev(when, user, "edx.completion.block_completion.changed", payload, course)


EVENTS = [
    _completion("03T10:00:00", 1, _block("video", "v"), 1.0),
    _completion("05T10:00:00", 2, _block("html", "h"), 1.0),  # newer than the table's 0.5
    _completion("01T09:00:00", 2, _block("problem", "p"), 1.0),  # older than the table's 0.0
    _completion("02T10:00:00", 3, "block-v1:Org+L+2024+type@html+block@x", 1.0, course=L),
    _ev("10T10:00:00", 5, "edx.forum.thread.created", {"commentable_id": "t1"}),
    _ev("10T10:05:00", 5, "edx.forum.response.created", {"commentable_id": "t1"}),
    _ev("11T10:00:00", 5, "edx.forum.comment.created", {"commentable_id": "t2"}),
    _ev("11T10:01:00", 5, "edx.forum.thread.voted", {"commentable_id": "t2", "vote_value": "up"}),
    _ev(
        "11T10:02:00",
        5,
        "edx.forum.thread.voted",
        {"commentable_id": "t2", "vote_value": "up", "undo_vote": True},
    ),
    _ev("11T10:03:00", 5, "edx.forum.response.voted", {"commentable_id": "t2", "vote_value": "down"}),
    _ev("11T10:04:00", 5, "edx.forum.thread.viewed", {"commentable_id": "t2"}),
    _ev("11T10:05:00", 5, "edx.forum.searched", {"query": "x"}),
    _ev("11T10:06:00", 5, "edx.forum.thread.edited", {"commentable_id": "t1"}),
    _ev("12T08:00:00", 6, "edx.forum.response.created", {"commentable_id": "t3"}),
    _ev("12T08:01:00", 0, "edx.forum.searched", {"query": "x"}),  # no learner: not counted
    _ev("20T10:00:00", 7, "play_video", {"id": "v"}, source="browser"),
    _ev("20T10:05:00", 7, "edx.course.enrollment.activated", {"course_id": K, "user_id": 7, "mode": "audit"}),
    _ev("20T10:10:00", 7, "pause_video", {"id": "v"}, source="browser"),
    _ev("20T10:25:00", 7, "problem_check", {"problem_id": "p"}),
    _ev("20T10:40:00", 7, "edx.grades.problem.rescored", {}, source="task"),
    _ev("20T11:00:00", 7, "seq_goto", {}, source="browser"),  # 35 minutes later: a new session
    _ev("20T11:20:00", 7, "seq_next", {}, source="browser"),
    _ev("21T09:00:00", 7, "seq_next", {}, source="browser"),  # a lone event: a 0-second session
    _ev("22T23:50:00", 8, "seq_next", {}, source="browser"),
    _ev("23T00:10:00", 8, "seq_next", {}, source="browser"),  # counts on the day the session started
]


@functools.cache
def _inputs() -> dict[str, pa.Table]:
    blocks = [
        ("course", "course"),
        ("chapter", "c"),
        ("sequential", "s"),
        ("vertical", "u"),
        ("html", "h"),
        ("problem", "p"),
        ("video", "v"),
    ]
    course_blocks = pa.Table.from_pylist(
        [
            {
                "org": "Org",
                "course_key": K,
                "location": _block(kind, name),
                "display_name": name,
                "block_type": kind,
                "order": i + 1,
            }
            for i, (kind, name) in enumerate(blocks)
        ],
        schema=COURSE_BLOCKS_SCHEMA,
    )
    t = dt.datetime
    completions = pa.table(
        {
            "id": pa.array([1, 2, 3, 4], pa.int64()),
            "course_key": [K, K, K, K],
            "block_key": [
                _block("html", "h"),
                _block("problem", "p"),
                _block("html", "h"),
                _block("problem", "p"),
            ],
            "block_type": ["html", "problem", "html", "problem"],
            "completion": [1.0, 1.0, 0.5, 0.0],
            "user_id": pa.array([1, 1, 2, 2], pa.int64()),
            "created": [t(2024, 1, 1), t(2024, 1, 2), t(2024, 1, 1), t(2024, 1, 6)],
            "modified": [t(2024, 1, 1), t(2024, 1, 2), t(2024, 1, 1), t(2024, 1, 6)],
        }
    )
    return {
        "tracking_events": events_table(EVENTS),
        "course_blocks": course_blocks,
        "completion_blockcompletion": completions,
        "model_settings": settings_table(),
    }


def test_progress_and_completion() -> None:
    cols = [
        "course_key",
        "user_id",
        "blocks_started",
        "blocks_completed",
        "completable_blocks",
        "progress",
        "is_complete",
        "first_completion_time",
        "last_completion_time",
    ]
    got = {(r[0], r[1]): r[2:] for r in rows("learner_course_progress", _inputs(), cols)}
    t = dt.datetime
    assert got == {
        (K, 1): (3, 3, 3, 1.0, True, t(2024, 1, 1), t(2024, 1, 3, 10)),
        (K, 2): (1, 1, 3, round(1 / 3, 9), False, t(2024, 1, 5, 10), t(2024, 1, 6)),
        (L, 3): (1, 1, None, None, False, t(2024, 1, 2, 10), t(2024, 1, 2, 10)),
    }


def test_forum_activity() -> None:
    cols = [
        "course_id",
        "user_id",
        "threads_created",
        "responses_created",
        "comments_created",
        "posts_edited",
        "posts_deleted",
        "threads_viewed",
        "searches",
        "votes_given",
        "topics_posted_in",
        "active_days",
    ]
    got = {(r[0], r[1]): r[2:] for r in rows("learner_forum_activity", _inputs(), cols)}
    assert got == {(K, 5): (1, 1, 1, 1, 0, 1, 1, 1, 2, 2), (K, 6): (0, 1, 0, 0, 0, 0, 0, 0, 1, 1)}


def test_time_on_task_sessions() -> None:
    cols = ["course_id", "user_id", "date", "sessions", "events", "time_on_task_seconds"]
    got = [r for r in rows("learner_time_on_task", _inputs(), cols) if r[1] in (7, 8)]
    d = dt.date
    assert got == [
        (K, 7, d(2024, 1, 20), 2, 5, 25 * 60.0 + 20 * 60.0),
        (K, 7, d(2024, 1, 21), 1, 1, 0.0),
        (K, 8, d(2024, 1, 22), 1, 2, 20 * 60.0),
    ]
