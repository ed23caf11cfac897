"""Insights' student engagement reports (spec student_engagement.md) on a hand-made scenario.

Holds the spec's traps: staff active before enrolling, an unenroll/re-enroll in the second course, an
undone up-vote, browser problem_check that counts as no activity at all, case-insensitive correctness,
courseware paths that do and do not qualify as the last subsection viewed.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pyarrow as pa
from insights_support import events_table, rows, settings_table

C1 = "edX/DemoX/Demo_Course"
C2 = "edX/DemoX/Demo_Course_2"
USERS = {1: "honor", 2: "audit", 3: "verified", 4: "staff"}
SUB = "/courses/edX/DemoX/Demo_Course/courseware/ch1/sec2/1"


def _ev(
    when: str,
    user: int | None,
    event_type: str,
    payload: Any,
    course: str | None = C1,
    source: str = "server",
) -> dict[str, Any]:
    context: dict[str, Any] = {"org_id": "edX"}
    if course:
        context["course_id"] = course
    if user:
        context["user_id"] = user
    return {
        "username": USERS.get(user or 0, ""),
        "event_source": source,
        "event_type": event_type,
        "time": f"2015-04-{when}+00:00",
        "context": context,
        "event": payload,
        "page": None,
    }


def _enroll(when: str, user: int, action: str, course: str = C1, mode: str = "honor") -> dict[str, Any]:
    return _ev(
        when,
        user,
        f"edx.course.enrollment.{action}",
        {"course_id": course, "user_id": user, "mode": mode},
        course,
    )


def _vote(when: str, user: int, kind: str, value: str, undo: bool = False) -> dict[str, Any]:
    payload = {"vote_value": value, "undo_vote": undo, "target_username": "staff", "commentable_id": "t1"}
    return _ev(when, user, f"edx.forum.{kind}.voted", payload)


EVENTS = [
    _enroll("06T10:00:00", 1, "activated"),
    _enroll("06T10:01:00", 2, "activated", mode="audit"),
    _enroll("06T10:02:00", 3, "activated", mode="verified"),
    _ev("08T11:00:00", 1, "problem_check", {"problem_id": "p1", "success": "correct"}),
    _ev("08T11:05:00", 1, "problem_check", {"problem_id": "p1", "success": "incorrect"}),
    _ev("08T11:10:00", 1, "problem_check", {"problem_id": "p2", "success": "Correct"}),
    _ev("08T11:15:00", 1, "problem_check", "input_p3_2_1=choice_1", source="browser"),
    _ev("09T11:15:00", 2, "problem_check", "input_p3_2_1=choice_1", source="browser"),  # no activity at all
    _ev("09T12:00:00", 2, "edx.forum.thread.created", {"commentable_id": "t1"}),
    _vote("09T12:30:00", 2, "thread", "up"),
    _vote("09T12:40:00", 2, "response", "up"),
    _vote("10T08:00:00", 1, "thread", "up"),
    _vote("10T08:01:00", 1, "thread", "up", undo=True),
    _ev("13T10:00:00", 4, "play_video", '{"id": "v1", "currentTime": 0}', source="browser"),
    _enroll("14T09:00:00", 4, "activated"),
    _ev("15T09:00:00", 3, "book", {"type": "gotopage"}, source="browser"),
    _ev("15T09:10:00", 3, "/courses/edX/DemoX/Demo_Course/courseware/ch1/sec1/", {"POST": {}, "GET": {}}),
    _ev("15T09:20:00", 3, SUB, {"POST": {}, "GET": {}}),
    _ev("15T09:30:00", 3, "/courses/edX/DemoX/Demo_Course/courseware", {"POST": {}, "GET": {}}),
    _ev(
        "15T09:40:00", 3, "play_video", {"id": "v9"}, course=None, source="browser"
    ),  # no context course: dropped
    _ev("15T09:50:00", None, "play_video", {"id": "v9"}, source="browser"),  # no username: dropped
    _enroll("12T09:00:00", 4, "activated", course=C2),
    _enroll("14T23:10:00", 4, "deactivated", course=C2),
    _ev("15T10:00:00", 4, "play_video", {"id": "v2"}, course=C2, source="browser"),
    _enroll("16T09:00:00", 4, "activated", course=C2),
    _ev("20T09:00:00", 1, "book", {}, source="browser"),  # after the interval
]


@functools.cache
def _inputs() -> dict[str, pa.Table]:
    users = pa.table(
        {
            "id": pa.array(list(USERS), pa.int64()),
            "username": list(USERS.values()),
            "email": [f"{u}@example.com" for u in USERS.values()],
        }
    )
    groups = pa.table(
        {"id": pa.array([1], pa.int64()), "name": ["Group A"], "course_id": [C1], "group_type": ["cohort"]}
    )
    members = pa.table(
        {"courseusergroup_id": pa.array([1], pa.int64()), "user_id": pa.array([1], pa.int64())}
    )
    return {
        "tracking_events": events_table(EVENTS),
        "auth_user": users,
        "course_groups_courseusergroup": groups,
        "course_groups_courseusergroup_users": members,
        "model_settings": settings_table(("2015-04-06", "2015-04-20")),
    }


COUNTERS = [
    "days_active",
    "problems_attempted",
    "problem_attempts",
    "problems_correct",
    "videos_played",
    "forum_posts",
    "forum_responses",
    "forum_comments",
    "textbook_pages_viewed",
    "last_subsection_viewed",
]
REPORT = ["interval_type", "end_date", "course_id", "username", "email", "cohort", *COUNTERS]


def _d(day: int) -> dt.date:
    return dt.date(2015, 4, day)


def _report() -> list[tuple[Any, ...]]:
    return rows("student_engagement_report", _inputs(), REPORT)


def _zero(kind: str, day: int, course: str, user: str) -> tuple[Any, ...]:
    cohort = "Group A" if user == "honor" and course == C1 else ""
    return (kind, _d(day), course, user, f"{user}@example.com", cohort, 0, 0, 0, 0, 0, 0, 0, 0, 0, "")


def test_daily_report_lists_enrolled_learners_only() -> None:
    daily = [r for r in _report() if r[0] == "daily"]
    by_key = {(r[1], r[2], r[3]): r for r in daily}
    c1 = [k for k in by_key if k[1] == C1]
    assert len([k for k in c1 if k[2] != "staff"]) == 3 * 14
    assert sorted(k[0].day for k in c1 if k[2] == "staff") == [14, 15, 16, 17, 18, 19]  # absent on the 13th
    assert sorted(k[0].day for k in by_key if k[1] == C2) == [12, 13, 16, 17, 18, 19]  # unenrolled 14th-15th
    assert by_key[(_d(8), C1, "honor")] == (
        "daily",
        _d(8),
        C1,
        "honor",
        "honor@example.com",
        "Group A",
        1,
        2,
        3,
        2,
        0,
        0,
        0,
        0,
        0,
        "",
    )
    assert by_key[(_d(9), C1, "audit")][6:] == (1, 0, 0, 0, 0, 1, 0, 0, 0, "")
    assert by_key[(_d(11), C1, "audit")] == _zero("daily", 11, C1, "audit")
    assert by_key[(_d(15), C1, "verified")][6:] == (1, 0, 0, 0, 0, 0, 0, 0, 1, SUB)
    assert by_key[(_d(16), C2, "staff")][6:] == (1, 0, 0, 0, 0, 0, 0, 0, 0, "")


def test_weekly_and_all_reports() -> None:
    report = _report()
    weekly = [r for r in report if r[0] == "weekly"]
    assert {r[1] for r in weekly} == {_d(12), _d(19)}
    want_weekly = [
        ("weekly", _d(12), C1, "honor", "honor@example.com", "Group A", 3, 2, 3, 2, 0, 0, 0, 0, 0, ""),
        ("weekly", _d(12), C1, "audit", "audit@example.com", "", 2, 0, 0, 0, 0, 1, 0, 0, 0, ""),
        ("weekly", _d(12), C1, "verified", "verified@example.com", "", 1, 0, 0, 0, 0, 0, 0, 0, 0, ""),
        ("weekly", _d(12), C2, "staff", "staff@example.com", "", 1, 0, 0, 0, 0, 0, 0, 0, 0, ""),
        _zero("weekly", 19, C1, "honor"),
        _zero("weekly", 19, C1, "audit"),
        ("weekly", _d(19), C1, "verified", "verified@example.com", "", 1, 0, 0, 0, 0, 0, 0, 0, 1, SUB),
        ("weekly", _d(19), C1, "staff", "staff@example.com", "", 2, 0, 0, 0, 1, 0, 0, 0, 0, ""),
        ("weekly", _d(19), C2, "staff", "staff@example.com", "", 3, 0, 0, 0, 1, 0, 0, 0, 0, ""),
    ]
    assert sorted(weekly, key=str) == sorted(want_weekly, key=str)
    whole = [r for r in report if r[0] == "all"]
    want_all = [
        ("all", _d(19), C1, "honor", "honor@example.com", "Group A", 3, 2, 3, 2, 0, 0, 0, 0, 0, ""),
        ("all", _d(19), C1, "audit", "audit@example.com", "", 2, 0, 0, 0, 0, 1, 0, 0, 0, ""),
        ("all", _d(19), C1, "verified", "verified@example.com", "", 2, 0, 0, 0, 0, 0, 0, 0, 1, SUB),
        ("all", _d(19), C1, "staff", "staff@example.com", "", 2, 0, 0, 0, 1, 0, 0, 0, 0, ""),
        ("all", _d(19), C2, "staff", "staff@example.com", "", 4, 0, 0, 0, 1, 0, 0, 0, 0, ""),
    ]
    assert sorted(whole, key=str) == sorted(want_all, key=str)


def test_forum_counter_tables() -> None:
    cols = [
        "end_date",
        "course_id",
        "username",
        "days_active",
        "forum_posts",
        "forum_upvotes_given",
        "forum_downvotes_given",
        "forum_upvotes_received",
        "forum_downvotes_received",
    ]
    daily = {(r[0], r[1], r[2]): r[3:] for r in rows("student_engagement_daily", _inputs(), cols)}
    assert daily[(_d(9), C1, "audit")] == (1, 1, 2, 0, 0, 0)
    assert daily[(_d(9), C1, "staff")] == (0, 0, 0, 0, 2, 0)  # received only
    assert daily[(_d(10), C1, "honor")] == (1, 0, 0, 0, 0, 0)  # the undo cancels the vote
    assert daily[(_d(10), C1, "staff")] == (0, 0, 0, 0, 0, 0)
    assert (_d(11), C1, "audit") not in daily  # no zero rows
    weekly = {(r[0], r[1], r[2]): r[3:] for r in rows("student_engagement_weekly", _inputs(), cols)}
    assert weekly[(_d(12), C1, "staff")] == (0, 0, 0, 0, 2, 0)
    assert weekly[(_d(19), C1, "staff")] == (2, 0, 0, 0, 0, 0)
    assert set(weekly) == {
        (_d(12), C1, "honor"),
        (_d(12), C1, "audit"),
        (_d(12), C1, "verified"),
        (_d(12), C1, "staff"),
        (_d(12), C2, "staff"),
        (_d(19), C1, "verified"),
        (_d(19), C1, "staff"),
        (_d(19), C2, "staff"),
    }
