"""Small pieces of the generator: seeds, ids, timestamps, enrollment histories, exam plans."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from learnlake.synth.course_index import SiteUrls, build_index
from learnlake.synth.enrollments import generate_enrollments
from learnlake.synth.events.common import derive_seed, format_time, uuid_text
from learnlake.synth.learners import generate_learners
from learnlake.synth.model import Block, Course, GradingPolicy

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def test_derived_seeds_do_not_depend_on_hash_randomisation() -> None:
    # a fixed value: str hashing is salted per process, derive_seed must not be
    assert derive_seed(1, "learners") == 2654242206946939034


def test_uuids_come_from_the_seeded_stream() -> None:
    a, b = uuid_text(random.Random(3)), uuid_text(random.Random(3))
    assert a == b
    assert uuid.UUID(a).version == 4


def test_format_time_matches_isoformat() -> None:
    rng = random.Random(0)
    samples = [rng.randrange(86_400_000_000) for _ in range(500)]
    for us in [0, 1, 999_999, 1_000_000, 86_399_999_999, *samples]:
        expected = (START + dt.timedelta(microseconds=us)).isoformat()
        assert format_time("2026-01-05T", us) == expected


def _course(key: str = "course-v1:Org+C1+R") -> Course:
    base = key.removeprefix("course-v1:")

    def block(kind: str, name: str, **extra: object) -> Block:
        b = Block(f"block-v1:{base}+type@{kind}+block@{name}", kind, name, name)  # type: ignore[arg-type]
        for k, v in extra.items():
            setattr(b, k, v)
        return b

    lesson = block("sequential", "lesson")
    lesson.children = [block("vertical", "v1", children=[block("html", "h1")])]
    exam = block("sequential", "final", graded=True, assignment_type="Final Exam", exam_kind="timed")
    problem = block("problem", "p1", response_types=["stringresponse"])
    exam.children = [block("vertical", "v2", children=[problem])]
    chapter = block("chapter", "ch", children=[lesson, exam])
    root = block("course", "course", children=[chapter])
    return Course(
        key, "Org", "C1", "R", "A course", "small", START, None, None, root,
        GradingPolicy({"Final Exam": 1.0}, {"Pass": 0.5}),
    )  # fmt: skip


def test_a_course_with_exams_gets_a_practice_run_written_back_to_its_blocks() -> None:
    course = _course()
    index = build_index(course, SiteUrls("lms.example.test"), random.Random(1), 1, 0, ["someone"])
    kinds = {s.display_name: s.exam.kind if s.exam else None for s in index.subsections}
    assert kinds == {"lesson": "practice", "final": "timed"}
    assert [b.exam_kind for b in course.blocks("sequential")] == ["practice", "timed"]
    assert index.pass_cutoff == 0.5 and index.letter(0.7) == "Pass" and index.letter(0.2) == ""


def test_enrollment_histories_are_chronological_and_in_range() -> None:
    learners = generate_learners(200, random.Random(2), START)
    courses = [_course("course-v1:Org+C1+R"), _course("course-v1:Org+C2+R")]
    end = START + dt.timedelta(days=30)
    enrollments = generate_enrollments(learners, courses, random.Random(3), START, end)
    assert [e.enrollment_id for e in enrollments] == list(range(1, len(enrollments) + 1))
    assert [e.created for e in enrollments] == sorted(e.created for e in enrollments)
    for e in enrollments:
        times = [c.time for c in e.history]
        assert times == sorted(times) and times[0] >= START and times[-1] < end
        assert e.history[0].kind == "activated" and e.history[0].time == e.created
        on_off = [c.kind for c in e.history if c.kind != "mode_changed"]
        assert e.is_active == (on_off[-1] == "activated")
        assert e.mode == e.history[-1].mode
    assert len({(e.user_id, e.course_key) for e in enrollments}) == len(enrollments)
