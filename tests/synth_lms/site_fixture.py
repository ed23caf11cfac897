"""A small deterministic synthetic site (courses, learners and their records) for the LMS writer tests."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnlake.synth.courses import find_demo_course_tarball, generate_course, load_demo_course
from learnlake.synth.lms_tables import LmsWriter
from learnlake.synth.model import (
    BlockCompletion,
    Certificate,
    Course,
    CourseGrade,
    Enrollment,
    EnrollmentChange,
    Learner,
    Profile,
    StudentModuleState,
)

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
HOST = os.environ.get("LEARNLAKE_TEST_MARIADB_HOST", "127.0.0.1")
PORT = int(os.environ.get("LEARNLAKE_TEST_MARIADB_PORT", "3306"))
USER = os.environ.get("LEARNLAKE_TEST_MARIADB_USER", "root")
PASSWORD = os.environ.get("LEARNLAKE_TEST_MARIADB_PASSWORD", "")
ARCHETYPES = ("steady", "binge", "fading", "at_risk", "never_started")
# text that breaks naive CSV/SQL handling: quotes, backslashes, escaped JSON, CR/LF, tab, NUL-free controls
NASTY = 'Goals: "quoted" it\'s C:\\path\\n {"a": "b\\"c"} \\u00e9 line1\r\nline2\ttab 😀 NULL \x1a end'


@dataclass
class Site:
    courses: list[Course]
    learners: list[Learner]
    enrollments: list[Enrollment] = field(default_factory=list)
    modules: list[StudentModuleState] = field(default_factory=list)
    grades: list[CourseGrade] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    completions: list[BlockCompletion] = field(default_factory=list)


def make_courses(seed: int = 1, demo: bool = True) -> list[Course]:
    rng = random.Random(seed)
    courses = [
        generate_course("SynthU", "BIO101", "2026_T1", "small", rng, START),
        generate_course("FakeOrg", "DATA200", "2026_T1", "medium", rng, START),
    ]
    if demo:
        path = find_demo_course_tarball()
        assert path is not None
        courses.append(load_demo_course(path, "SynthU", "2026_DEMO", START))
    return courses


def make_learners(n: int, seed: int = 1) -> list[Learner]:
    rng = random.Random(seed)
    out = []
    for uid in range(1, n + 1):
        joined = START - dt.timedelta(days=rng.randint(1, 60), seconds=rng.randint(0, 86399))
        out.append(
            Learner(
                user_id=uid,
                username=f"fake_learner_{uid}",
                email=f"fake.learner.{uid}@example.invalid",
                first_name="Fake",
                last_name=f"Learner{uid}",
                date_joined=joined,
                last_login=joined + dt.timedelta(days=3),
                is_staff=uid <= 2,
                profile=Profile(
                    name=f"Fake Learner {uid}",
                    gender=rng.choice(["m", "f", "o", None]),
                    year_of_birth=rng.choice([None, rng.randint(1950, 2008)]),
                    level_of_education=rng.choice(["b", "m", "hs", None]),
                    country=rng.choice(["US", "FR", "IN", None]),
                    language="en",
                    city=None,
                    goals=NASTY if uid == 3 else "Learn things (synthetic)",
                ),
                external_id=f"{rng.getrandbits(128):032x}",
                archetype=ARCHETYPES[uid % len(ARCHETYPES)],
            )
        )
    return out


def make_site(n_learners: int = 40, seed: int = 1, demo: bool = True) -> Site:
    courses = make_courses(seed, demo)
    site = Site(courses, make_learners(n_learners, seed))
    rng = random.Random(seed + 1)
    eid = 0
    for learner in site.learners:
        for course in courses:
            if rng.random() < 0.6:
                continue
            eid += 1
            created = START + dt.timedelta(days=rng.randint(0, 10), seconds=rng.randint(0, 86399))
            history = [EnrollmentChange(created, "activated", "audit")]
            mode, active = "audit", True
            if rng.random() < 0.3:
                mode = "verified"
                history.append(EnrollmentChange(created + dt.timedelta(days=2), "mode_changed", mode))
            if rng.random() < 0.15:
                active = False
                history.append(EnrollmentChange(created + dt.timedelta(days=5), "deactivated", mode))
            site.enrollments.append(
                Enrollment(
                    enrollment_id=eid,
                    user_id=learner.user_id,
                    course_key=course.course_key,
                    created=created,
                    mode=mode,
                    is_active=active,
                    history=history,
                    cohort=course.cohorts[learner.user_id % len(course.cohorts)] if course.cohorts else None,
                    enterprise_uuid="0f0e0d0c-0b0a-4908-8706-050403020100"
                    if learner.user_id % 7 == 0
                    else None,
                )
            )
            for block in course.blocks("problem")[:5]:
                t = created + dt.timedelta(hours=rng.randint(1, 100))
                grade = float(rng.randint(0, 1))
                site.modules.append(
                    StudentModuleState(
                        learner.user_id,
                        course.course_key,
                        "problem",
                        block.usage_key,
                        json.dumps({"attempts": 1, "correct_map": {}, "note": 'a "quoted" \\ value'}),
                        grade,
                        1.0,
                        t,
                        t + dt.timedelta(minutes=3),
                    )
                )
                site.completions.append(
                    BlockCompletion(learner.user_id, course.course_key, block.usage_key, "problem", 1.0, t, t)
                )
            end = created + dt.timedelta(days=30)
            pct = rng.random()
            site.grades.append(
                CourseGrade(
                    learner.user_id,
                    course.course_key,
                    round(pct, 4),
                    "Pass" if pct >= 0.5 else "",
                    end if pct >= 0.5 else None,
                    created,
                    end,
                )
            )
            if pct >= 0.5:
                site.certificates.append(
                    Certificate(
                        learner.user_id,
                        course.course_key,
                        f"{pct:.2f}",
                        "downloadable",
                        mode,
                        f"Fake Learner {learner.user_id}",
                        end,
                        end,
                    )
                )
    return site


def student_modules(n: int, courses: list[Course]) -> Iterator[StudentModuleState]:
    """n rows of learner state spread over the courses' problems (for load timings)."""
    blocks = [(c.course_key, b.usage_key) for c in courses for b in c.blocks("problem")]
    t0 = START.replace(tzinfo=None)
    for i in range(n):
        key, usage = blocks[i % len(blocks)]
        t = t0 + dt.timedelta(seconds=i)
        state = json.dumps(
            {"attempts": 1 + i % 3, "done": True, "input_state": {f"x_{i}_2_1": {}}, "seed": i}
        )
        yield StudentModuleState(i // len(blocks) + 1, key, "problem", usage, state, 1.0, 2.0, t, t)


def write_site(url: str | None, sqlite_path: Path, site: Site) -> dict[str, int]:
    """Write the whole site through LmsWriter the way the orchestrator does; rows per table."""
    writer = LmsWriter(url, sqlite_path)
    writer.write_site(site.courses, iter(site.learners))
    writer.write_enrollments(iter(site.enrollments))
    writer.write_student_modules(iter(site.modules))
    writer.write_course_grades(iter(site.grades))
    writer.write_certificates(iter(site.certificates))
    writer.write_completions(iter(site.completions))
    return writer.close()


def mariadb_connect(database: str | None = None) -> Any:
    """A PyMySQL connection to the test server."""
    import pymysql

    return pymysql.connect(
        host=HOST,
        port=PORT,
        user=USER,
        password=PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )
