"""Synthetic enrollments with their history: enroll, upgrade (audit to verified), unenroll, re-enroll.

Every change happens inside the simulated date range, so the tracking log holds one enrollment
event per change and the final row of student_courseenrollment agrees with the last event.
"""

from __future__ import annotations

import datetime as dt
import random

from learnlake.synth.events.common import uuid_text
from learnlake.synth.model import Archetype, Course, Enrollment, EnrollmentChange, Learner

P_UPGRADE: dict[Archetype, float] = {
    "steady": 0.22,
    "binge": 0.15,
    "fading": 0.08,
    "at_risk": 0.04,
    "never_started": 0.01,
}
P_UNENROLL: dict[Archetype, float] = {
    "steady": 0.02,
    "binge": 0.05,
    "fading": 0.12,
    "at_risk": 0.20,
    "never_started": 0.30,
}
P_REENROLL = 0.25
P_ENTERPRISE = 0.04
COURSES_PER_LEARNER = [(1, 55), (2, 30), (3, 15)]


def _later(rng: random.Random, after: dt.datetime, lo_s: int, hi_s: int) -> dt.datetime:
    return after + dt.timedelta(seconds=rng.randrange(lo_s, hi_s), microseconds=rng.randrange(1_000_000))


def generate_enrollments(
    learners: list[Learner],
    courses: list[Course],
    rng: random.Random,
    start: dt.datetime,
    end: dt.datetime,
) -> list[Enrollment]:
    """Enrollments of every learner in one to three courses, created in [start, end).

    Enrollment ids follow creation time, as auto-increment ids of a real site do.
    """
    span = (end - start).total_seconds()
    popularity = [3.0 if c.size == "demo" else 1.0 for c in courses]
    customers = [uuid_text(rng) for _ in range(3)]
    out: list[Enrollment] = []
    for learner in learners:
        n = rng.choices([k for k, _ in COURSES_PER_LEARNER], weights=[w for _, w in COURSES_PER_LEARNER])[0]
        picked: list[Course] = []
        while len(picked) < min(n, len(courses)):
            course = rng.choices(courses, weights=popularity)[0]
            if course not in picked:
                picked.append(course)
        for course in picked:
            out.append(_one(learner, course, rng, start, end, span, customers))
    out.sort(key=lambda e: (e.created, e.user_id, e.course_key))
    for i, e in enumerate(out, start=1):
        e.enrollment_id = i
    return out


def _one(
    learner: Learner,
    course: Course,
    rng: random.Random,
    start: dt.datetime,
    end: dt.datetime,
    span: float,
    customers: list[str],
) -> Enrollment:
    earliest = max(start, learner.date_joined + dt.timedelta(minutes=5))
    offset = span * 0.75 * rng.random() ** 1.6
    created = max(earliest, start + dt.timedelta(seconds=offset))
    created = created.replace(microsecond=rng.randrange(1_000_000))
    if created >= end:
        created = end - dt.timedelta(seconds=rng.randrange(60, 3600))
    modes = course.modes or ["audit"]
    audit = "audit" if "audit" in modes else modes[0]
    mode = "verified" if "verified" in modes and rng.random() < 0.12 else audit
    history = [EnrollmentChange(created, "activated", mode)]
    now = created
    arche = learner.archetype
    if mode != "verified" and "verified" in modes and rng.random() < P_UPGRADE[arche]:
        when = _later(rng, now, 1800, 30 * 86400)
        if when < end:
            mode = "verified"
            history.append(EnrollmentChange(when, "mode_changed", mode))
            now = when
    active = True
    if rng.random() < P_UNENROLL[arche]:
        when = _later(rng, now, 3600, 40 * 86400)
        if when < end:
            history.append(EnrollmentChange(when, "deactivated", mode))
            active = False
            now = when
            if rng.random() < P_REENROLL:
                when = _later(rng, now, 3600, 20 * 86400)
                if when < end:
                    history.append(EnrollmentChange(when, "activated", mode))
                    active = True
    cohort = rng.choice(course.cohorts) if course.cohorts else None
    enterprise = rng.choice(customers) if rng.random() < P_ENTERPRISE else None
    return Enrollment(
        enrollment_id=0,
        user_id=learner.user_id,
        course_key=course.course_key,
        created=created,
        mode=mode,
        is_active=active,
        history=history,
        cohort=cohort,
        enterprise_uuid=enterprise,
    )
