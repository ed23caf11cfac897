"""Insights' enrollment reports (spec enrollments.md) on a hand-made scenario with hand-derived rows.

The scenario holds the spec's traps: events before the interval (users 5 and 6 on 07-30) do not count, a
deactivation carries a new mode (user 2 moves to honor), a learner whose first event is a deactivation
(user 6) has rows but no summary, a re-enrollment (user 3), a repeated activation and a mode change
(user 1 in course B), '' and NULL genders, missing profiles, and grades that fail on a NULL
passed_timestamp or an empty letter grade.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pyarrow as pa
from insights_support import events_table, rows, settings_table

A = "edX/Open_DemoX/edx_demo_course"
B = "course-v1:edX+DemoX+Test_2014"


def _enroll(when: str, action: str, user: int, course: str, mode: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"course_id": course, "user_id": user}
    if mode is not None:
        payload["mode"] = mode
    return {
        "username": f"user{user}",
        "event_source": "server",
        "event_type": f"edx.course.enrollment.{action}",
        "name": f"edx.course.enrollment.{action}",
        "time": f"2014-{when}+00:00",
        "context": {"course_id": course, "org_id": "edX", "user_id": user},
        "event": payload,
    }


EVENTS = [
    _enroll("07-30T10:00:00", "activated", 5, A, "honor"),  # before the interval: not counted
    _enroll("07-30T11:00:00", "activated", 6, A, "honor"),
    _enroll("07-31T09:00:00", "activated", 1, A, "honor"),
    _enroll("08-01T09:00:00", "activated", 2, A, "audit"),
    _enroll("08-01T10:00:00", "activated", 3, A, "verified"),
    _enroll("08-02T09:00:00", "activated", 4, A, "honor"),
    _enroll("08-03T09:00:00", "mode_changed", 4, A, "verified"),
    _enroll("08-04T09:00:00", "deactivated", 2, A, "honor"),
    _enroll("08-05T09:00:00", "deactivated", 6, A, "honor"),
    _enroll("08-05T10:00:00", "deactivated", 3, A, "verified"),
    _enroll("08-06T08:00:00", "activated", 3, A, "verified"),
    _enroll("08-01T12:00:00", "activated", 1, B, "verified"),
    _enroll("08-02T12:00:00", "activated", 1, B, "verified"),
    _enroll("08-03T12:00:00", "mode_changed", 1, B, "credit"),
    _enroll("08-04T12:00:00", "activated", 5, B, "honor"),
    _enroll("08-02T13:00:00", "activated", 7, "not a course key", "honor"),  # dropped: invalid course
    _enroll("08-02T14:00:00", "activated", 8, A, None),  # dropped: no mode
    _enroll("08-07T09:00:00", "activated", 9, A, "honor"),  # after the interval
]


@functools.cache
def _inputs() -> dict[str, pa.Table]:
    profiles = pa.table(
        {
            "user_id": pa.array([1, 2, 3, 4], pa.int64()),
            "gender": pa.array(["m", "f", "", None], pa.string()),
            "year_of_birth": pa.array([1980, 1990, 1985, None], pa.int64()),
            "level_of_education": pa.array(["b", "p_se", "hs", ""], pa.string()),
        }
    )
    ts = dt.datetime(2017, 1, 31, 0, 5)
    modified = dt.datetime(2017, 2, 1)
    grades = pa.table(
        {
            "user_id": pa.array([1, 2, 3, 4], pa.int64()),
            "course_id": pa.array([A] * 4, pa.string()),
            "letter_grade": pa.array(["Pass", "Pass", "Pass", ""], pa.string()),
            "passed_timestamp": pa.array([ts, ts, None, ts], pa.timestamp("us")),
            "modified": pa.array([modified] * 4, pa.timestamp("us")),
        }
    )
    return {
        "tracking_events": events_table(EVENTS),
        "auth_userprofile": profiles,
        "grades_persistentcoursegrade": grades,
        "model_settings": settings_table(("2014-07-31", "2014-08-07")),
    }


def _d(day: str) -> dt.date:
    return dt.date.fromisoformat(f"2014-{day}")


def _sorted(items: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    from insights_support import sort_key

    return sorted(items, key=sort_key)


def test_daily_counts() -> None:
    got = rows("course_enrollment_daily", _inputs(), ["course_id", "date", "count", "cumulative_count"])
    want = [
        (A, _d("07-31"), 1, 1),
        (A, _d("08-01"), 3, 3),
        (A, _d("08-02"), 4, 4),
        (A, _d("08-03"), 4, 4),
        (A, _d("08-04"), 3, 4),
        (A, _d("08-05"), 2, 5),
        (A, _d("08-06"), 3, 5),
        (B, _d("08-01"), 1, 1),
        (B, _d("08-02"), 1, 1),
        (B, _d("08-03"), 1, 1),
        (B, _d("08-04"), 2, 2),
        (B, _d("08-05"), 2, 2),
        (B, _d("08-06"), 2, 2),
    ]
    assert got == _sorted(want)


def test_mode_daily_follows_the_deactivation_mode() -> None:
    got = rows(
        "course_enrollment_mode_daily", _inputs(), ["course_id", "date", "mode", "count", "cumulative_count"]
    )
    want = [
        (A, _d("07-31"), "honor", 1, 1),
        (A, _d("08-01"), "honor", 1, 1),
        (A, _d("08-01"), "audit", 1, 1),
        (A, _d("08-01"), "verified", 1, 1),
        (A, _d("08-02"), "honor", 2, 2),
        (A, _d("08-02"), "audit", 1, 1),
        (A, _d("08-02"), "verified", 1, 1),
        (A, _d("08-03"), "honor", 1, 1),
        (A, _d("08-03"), "audit", 1, 1),
        (A, _d("08-03"), "verified", 2, 2),
        (A, _d("08-04"), "honor", 1, 2),
        (A, _d("08-04"), "verified", 2, 2),
        (A, _d("08-05"), "honor", 1, 3),
        (A, _d("08-05"), "verified", 1, 2),
        (A, _d("08-06"), "honor", 1, 3),
        (A, _d("08-06"), "verified", 2, 2),
        (B, _d("08-01"), "verified", 1, 1),
        (B, _d("08-02"), "verified", 1, 1),
        (B, _d("08-03"), "credit", 1, 1),
        (B, _d("08-04"), "credit", 1, 1),
        (B, _d("08-04"), "honor", 1, 1),
        (B, _d("08-05"), "credit", 1, 1),
        (B, _d("08-05"), "honor", 1, 1),
        (B, _d("08-06"), "credit", 1, 1),
        (B, _d("08-06"), "honor", 1, 1),
    ]
    assert got == _sorted(want)


def test_demographics() -> None:
    inputs = _inputs()
    gender = rows(
        "course_enrollment_gender_daily", inputs, ["course_id", "date", "gender", "count", "cumulative_count"]
    )
    assert len({r[1] for r in gender if r[0] == A}) == 7  # every date appears
    late = [r for r in gender if r[1] >= _d("08-05")]
    assert late == _sorted(
        [
            (A, _d("08-05"), "m", 1, 1),
            (A, _d("08-05"), "f", 0, 1),
            (A, _d("08-05"), None, 1, 3),
            (A, _d("08-06"), "m", 1, 1),
            (A, _d("08-06"), "f", 0, 1),
            (A, _d("08-06"), None, 2, 3),
            (B, _d("08-05"), "m", 1, 1),
            (B, _d("08-05"), None, 1, 1),
            (B, _d("08-06"), "m", 1, 1),
            (B, _d("08-06"), None, 1, 1),
        ]
    )
    birth = rows(
        "course_enrollment_birth_year_daily",
        inputs,
        ["course_id", "date", "birth_year", "count", "cumulative_count"],
    )
    assert birth == _sorted(
        [
            (A, _d("08-06"), 1980, 1, 1),
            (A, _d("08-06"), 1990, 0, 1),
            (A, _d("08-06"), 1985, 1, 1),
            (A, _d("08-06"), None, 1, 2),
            (B, _d("08-06"), 1980, 1, 1),
            (B, _d("08-06"), None, 1, 1),
        ]
    )
    education = rows(
        "course_enrollment_education_level_daily",
        inputs,
        ["course_id", "date", "education_level", "count", "cumulative_count"],
    )
    assert education == _sorted(
        [
            (A, _d("08-06"), "bachelors", 1, 1),
            (A, _d("08-06"), "doctorate", 0, 1),
            (A, _d("08-06"), "secondary", 1, 1),
            (A, _d("08-06"), None, 1, 2),
            (B, _d("08-06"), "bachelors", 1, 1),
            (B, _d("08-06"), None, 1, 1),
        ]
    )


def test_passing_users_and_course_summary() -> None:
    inputs = _inputs()
    grades = rows("course_grade_by_mode", inputs, ["course_id", "mode", "passing_users"])
    assert grades == _sorted(
        [
            (A, "honor", 2),
            (A, "audit", 0),
            (A, "verified", 0),
            (B, "verified", 0),
            (B, "credit", 0),
            (B, "honor", 0),
        ]
    )
    cols = [
        "course_id",
        "enrollment_mode",
        "count",
        "cumulative_count",
        "count_change_7_days",
        "passing_users",
        "catalog_course_title",
        "start_time",
    ]
    summary = rows("course_meta_summary_enrollment", inputs, cols)
    assert summary == _sorted(
        [
            (A, "honor", 1, 3, 1, 2, None, None),
            (A, "verified", 2, 2, 2, 0, None, None),
            (B, "credit", 1, 1, 1, 0, None, None),
            (B, "honor", 1, 1, 1, 0, None, None),
        ]
    )


def test_learner_summary() -> None:
    cols = [
        "course_id",
        "user_id",
        "current_enrollment_mode",
        "current_enrollment_is_active",
        "first_enrollment_mode",
        "first_enrollment_time",
        "last_unenrollment_time",
        "first_verified_enrollment_time",
        "first_credit_enrollment_time",
        "end_time",
    ]

    def t(day: str, hour: int) -> dt.datetime:
        return dt.datetime.fromisoformat(f"2014-{day}T{hour:02d}:00:00")

    end = dt.datetime(2014, 8, 7)
    want = [
        (A, 1, "honor", True, "honor", t("07-31", 9), None, None, None, end),
        (A, 2, "audit", False, "audit", t("08-01", 9), t("08-04", 9), None, None, end),
        (A, 3, "verified", True, "verified", t("08-01", 10), t("08-05", 10), t("08-01", 10), None, end),
        (A, 4, "verified", True, "honor", t("08-02", 9), None, t("08-03", 9), None, end),
        (B, 1, "credit", True, "verified", t("08-01", 12), None, t("08-01", 12), t("08-03", 12), end),
        (B, 5, "honor", True, "honor", t("08-04", 12), None, None, None, end),
    ]
    assert rows("course_enrollment_summary", _inputs(), cols) == _sorted(want)
