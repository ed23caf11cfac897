"""Generated courses: sizes, realism and determinism."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from typing import Any

import pytest

from learnlake.synth.capa import problem_questions
from learnlake.synth.courses import SIZES, generate_course
from learnlake.synth.model import Course

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def make(size: str, seed: int = 3) -> Course:
    return generate_course("SynthU", "BIO101", "2026_T1", size, random.Random(seed), START)


FIELDS = (
    "usage_key", "block_type", "xblock_type", "display_name", "graded", "assignment_type", "due",
    "exam_kind", "exam_time_limit_mins", "response_types", "weight", "max_attempts", "duration_s",
    "youtube_id", "raw_xml",
)  # fmt: skip


def signature(course: Course) -> list[Any]:
    blocks = [
        ([getattr(b, f) for f in FIELDS], [c.usage_key for c in b.children]) for b in course.root.walk()
    ]
    return [blocks, course.display_name, course.grading, course.cohorts, course.end, course.structure_version]


def test_small_course_shape() -> None:
    course = make("small")
    assert len(course.blocks("chapter")) == 3
    assert len(course.blocks("problem")) == 10
    assert len(course.blocks("video")) == 5
    assert course.blocks("html") and course.blocks("discussion")
    assert all(v.children for v in course.blocks("vertical"))
    assert all(s.children for s in course.blocks("sequential"))


@pytest.mark.parametrize("size", list(SIZES))
def test_sizes(size: str) -> None:
    spec = SIZES[size]
    course = make(size)
    assert len(course.blocks("chapter")) == spec.chapters
    assert len(course.blocks("video")) == spec.videos
    assert len(course.blocks("problem")) == spec.problems
    assert course.size == size
    if size == "huge":
        assert len(course.root.walk()) > 800


def test_sizes_grow() -> None:
    totals = [len(make(size).root.walk()) for size in SIZES]
    assert totals == sorted(totals) and totals[0] < 100 and totals[-1] > 800


def test_deterministic_for_a_seed() -> None:
    for size in SIZES:
        assert signature(make(size, seed=11)) == signature(make(size, seed=11))
    assert signature(make("medium", seed=11)) != signature(make("medium", seed=12))


def test_keys_and_ids() -> None:
    course = make("large")
    assert course.course_key == "course-v1:SynthU+BIO101+2026_T1"
    blocks = course.root.walk()[1:]
    ids = [b.url_name for b in blocks]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and len(set(ids)) == len(ids)
    for b in blocks:
        kind = b.xblock_type or b.block_type
        assert b.usage_key == f"block-v1:SynthU+BIO101+2026_T1+type@{kind}+block@{b.url_name}"
    assert re.fullmatch(r"[0-9a-f]{24}", course.structure_version)


def test_grading_and_exams() -> None:
    kinds_seen: set[str] = set()
    exam_kinds: Counter[str] = Counter()
    letter = passfail = 0
    for seed in range(12):
        course = make("medium", seed)
        weights = course.grading.assignment_types
        assert abs(sum(weights.values()) - 1.0) < 1e-9
        graded = [s for s in course.blocks("sequential") if s.graded]
        assert {s.assignment_type for s in graded} == set(weights)
        kinds_seen |= set(weights)
        exam_kinds.update(s.exam_kind for s in graded if s.exam_kind)
        for s in graded:
            assert all(v.children for v in s.children)
            assert any(c.block_type == "problem" for v in s.children for c in v.children)
            if not course.self_paced:
                assert s.due is not None and s.due > course.start
        if set(course.grading.cutoffs) == {"Pass"}:
            passfail += 1
        else:
            assert set(course.grading.cutoffs) == {"A", "B", "C"}
            letter += 1
    assert {"Homework", "Lab", "Midterm Exam", "Final Exam"} <= kinds_seen
    assert exam_kinds["timed"] and exam_kinds["proctored"]
    assert letter and passfail


def test_problems_are_real_capa_with_answers() -> None:
    course = make("huge")
    problems = course.blocks("problem")
    kinds = Counter(t for p in problems for t in p.response_types)
    assert set(kinds) == {
        "multiplechoiceresponse",
        "choiceresponse",
        "optionresponse",
        "numericalresponse",
        "stringresponse",
        "formularesponse",
    }
    assert sum(1 for p in problems if len(p.response_types) > 1) >= 10
    for p in problems:
        questions = problem_questions(p)
        assert [q.response_type for q in questions] == p.response_types
        block_id = p.url_name
        for i, q in enumerate(questions):
            assert q.input_id == f"{block_id}_{i + 2}_1"
            assert q.label and q.correct
            if q.response_type in ("multiplechoiceresponse", "choiceresponse", "optionresponse"):
                assert set(q.correct) <= {value for value, _ in q.choices}
            if q.response_type == "multiplechoiceresponse":
                assert len(q.correct) == 1


def test_videos_and_other_components() -> None:
    course = make("large")
    durations = [v.duration_s for v in course.blocks("video")]
    assert min(durations) >= 120 and max(durations) <= 1200
    assert all(v.youtube_id and len(v.youtube_id) == 11 for v in course.blocks("video"))
    assert len(course.blocks("discussion")) == len(course.blocks("chapter"))
    assert {b.xblock_type for b in course.blocks("other")} == {"openassessment", "lti"}
    names = [b.display_name for b in course.root.walk()]
    assert all(names) and len(set(names)) > len(names) // 3


def test_unknown_size() -> None:
    with pytest.raises(ValueError, match="unknown course size"):
        make("gigantic")
