"""The simulated people behave as their archetypes say, and enrollments agree with their events."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from synth_helpers import SMALL

from learnlake.synth.events.common import rng_for
from learnlake.synth.learners import generate_learners
from learnlake.synth.model import Learner

ENROLLMENT_EVENTS = {
    "edx.course.enrollment.activated",
    "edx.course.enrollment.deactivated",
    "edx.course.enrollment.mode_changed",
}


@pytest.fixture(scope="module")
def learners() -> dict[int, Learner]:
    """The learners of the SMALL site (regenerated from the same seed stream as the site uses)."""
    start = dt.datetime.combine(SMALL.start, dt.time(), tzinfo=dt.UTC)
    people = generate_learners(SMALL.learners, rng_for(SMALL.seed, "learners"), start)
    return {p.user_id: p for p in people}


def _user(event: dict[str, Any]) -> int:
    uid = event["context"].get("user_id")
    return int(uid) if uid not in ("", None) else int(event["event"]["user_id"])


@pytest.fixture(scope="module")
def by_enrollment(events: list[dict[str, Any]]) -> dict[tuple[int, str], list[dict[str, Any]]]:
    out: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        out[(_user(event), event["context"]["course_id"])].append(event)
    return out


def _db(site: Path) -> sqlite3.Connection:
    return sqlite3.connect(site / "lms.sqlite")


def test_learners_are_fake_unique_and_repeatable(learners: dict[int, Learner]) -> None:
    people = list(learners.values())
    assert len({p.username for p in people}) == len(people)
    assert all(p.email.endswith("@example.com") for p in people)
    assert len({p.external_id for p in people}) == len(people)
    start = dt.datetime.combine(SMALL.start, dt.time(), tzinfo=dt.UTC)
    again = generate_learners(SMALL.learners, rng_for(SMALL.seed, "learners"), start)
    assert [p.external_id for p in again] == [p.external_id for p in people]
    assert {p.archetype for p in people} == {"steady", "binge", "fading", "at_risk", "never_started"}


def test_never_started_learners_only_enroll(
    learners: dict[int, Learner], by_enrollment: dict[tuple[int, str], list[dict[str, Any]]]
) -> None:
    never = {uid for uid, p in learners.items() if p.archetype == "never_started"}
    assert never
    for (uid, _course), evs in by_enrollment.items():
        if uid in never:
            assert {e["name"] for e in evs} <= ENROLLMENT_EVENTS


def test_at_risk_learners_score_lower_than_steady_ones(site: Path, learners: dict[int, Learner]) -> None:
    with _db(site) as db:
        enrolled = db.execute("select user_id, course_id from student_courseenrollment").fetchall()
        grades = dict(
            ((u, c), g)
            for u, c, g in db.execute(
                "select user_id, course_id, percent_grade from grades_persistentcoursegrade"
            )
        )
    mean: dict[str, list[float]] = defaultdict(list)
    for uid, course in enrolled:
        mean[learners[uid].archetype].append(grades.get((uid, course), 0.0))
    avg = {k: sum(v) / len(v) for k, v in mean.items()}
    assert avg["never_started"] == 0.0
    assert avg["at_risk"] < 0.6 * avg["steady"], avg


def test_at_risk_learners_stop_visiting(
    learners: dict[int, Learner], by_enrollment: dict[tuple[int, str], list[dict[str, Any]]]
) -> None:
    spans = []
    for (uid, _course), evs in by_enrollment.items():
        if learners[uid].archetype != "at_risk":
            continue
        times = [dt.datetime.fromisoformat(e["time"]) for e in evs if e["name"] not in ENROLLMENT_EVENTS]
        enrolled = min(dt.datetime.fromisoformat(e["time"]) for e in evs if e["name"] in ENROLLMENT_EVENTS)
        if times:
            spans.append((max(times) - enrolled).days)
    assert spans
    assert max(spans) <= 25, "at-risk learners quit within about three weeks"


def test_fading_learners_slow_down(
    learners: dict[int, Learner], by_enrollment: dict[tuple[int, str], list[dict[str, Any]]]
) -> None:
    early = late = 0
    last_day = dt.datetime.combine(SMALL.start, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=SMALL.days)
    for (uid, _course), evs in by_enrollment.items():
        if learners[uid].archetype != "fading":
            continue
        enrolled = min(dt.datetime.fromisoformat(e["time"]) for e in evs if e["name"] in ENROLLMENT_EVENTS)
        if last_day - enrolled < dt.timedelta(days=20):
            continue
        days = {
            (dt.datetime.fromisoformat(e["time"]) - enrolled).days
            for e in evs
            if e["name"] not in ENROLLMENT_EVENTS
        }
        early += sum(1 for d in days if d < 10)
        late += sum(1 for d in days if 10 <= d < 20)
    assert early > 1.5 * late > 0


def test_enrollment_rows_agree_with_enrollment_events(
    site: Path, by_enrollment: dict[tuple[int, str], list[dict[str, Any]]]
) -> None:
    with _db(site) as db:
        rows = db.execute(
            "select user_id, course_id, mode, is_active from student_courseenrollment"
        ).fetchall()
    assert rows
    deactivated = 0
    for uid, course, mode, is_active in rows:
        changes = sorted(
            (e for e in by_enrollment[(uid, course)] if e["name"] in ENROLLMENT_EVENTS),
            key=lambda e: e["time"],
        )
        assert changes and changes[0]["name"] == "edx.course.enrollment.activated"
        on_off = [e["name"] for e in changes if not e["name"].endswith("mode_changed")]
        assert (on_off[-1] == "edx.course.enrollment.deactivated") == (not is_active), (uid, course)
        assert changes[-1]["event"]["mode"] == mode, "the last event carries the current mode"
        modes = [e["event"]["mode"] for e in changes if e["name"].endswith("mode_changed")]
        assert all(m == "verified" for m in modes)
        deactivated += "edx.course.enrollment.deactivated" in on_off
    assert deactivated, "some learners unenroll"
    assert any(not r[3] for r in rows) and any(r[3] for r in rows)


def test_activity_happens_only_while_enrolled(
    by_enrollment: dict[tuple[int, str], list[dict[str, Any]]],
) -> None:
    for key, evs in by_enrollment.items():
        active = False
        for e in sorted(evs, key=lambda e: e["time"]):
            if e["name"] == "edx.course.enrollment.activated":
                active = True
            elif e["name"] == "edx.course.enrollment.deactivated":
                active = False
            elif e["name"] not in ENROLLMENT_EVENTS:
                assert active, f"{e['name']} of {key} while not enrolled"


def test_problem_attempts_follow_the_rules(events: list[dict[str, Any]]) -> None:
    """Server problem_check events count attempts up and carry the previous answers as state."""
    attempts: dict[tuple[int, str], int] = {}
    for e in events:
        if e["name"] == "problem_check" and e["event_source"] == "server":
            data = e["event"]
            key = (e["context"]["user_id"], data["problem_id"])
            assert data["attempts"] == attempts.get(key, 0) + 1
            assert data["state"]["done"] == (key in attempts)
            attempts[key] = data["attempts"]
            grade = sum(1 for c in data["correct_map"].values() if c["correctness"] == "correct")
            assert data["grade"] == grade <= data["max_grade"]
            assert data["success"] == ("correct" if grade == data["max_grade"] else "incorrect")
    assert attempts and max(attempts.values()) >= 2


def test_grades_and_certificates_are_written(site: Path) -> None:
    with _db(site) as db:
        modules = db.execute("select count(*) from courseware_studentmodule").fetchone()[0]
        passed = db.execute(
            "select count(*) from grades_persistentcoursegrade where passed_timestamp is not null"
        ).fetchone()[0]
        certs = db.execute("select count(*) from certificates_generatedcertificate").fetchone()[0]
        completions = db.execute("select count(*) from completion_blockcompletion").fetchone()[0]
    assert modules and passed and certs and completions
