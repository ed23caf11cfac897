"""The real Open edX demo course export parses into the right structure."""

from __future__ import annotations

import datetime as dt
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from learnlake.synth.courses import find_demo_course_tarball, load_demo_course
from learnlake.synth.olx import read_olx_tarball

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def _files_per_dir(path: Path) -> Counter[str]:
    with tarfile.open(path) as tar:
        return Counter(
            m.name.split("/")[1] for m in tar.getmembers() if m.isfile() and m.name.endswith(".xml")
        )


def test_block_counts_match_the_tarball(demo_tarball: Path) -> None:
    course = load_demo_course(demo_tarball, "SynthU", "2026_DEMO", START)
    files = _files_per_dir(demo_tarball)
    for kind in ("chapter", "sequential", "vertical", "problem", "video", "html"):
        assert len(course.blocks(kind)) == files[kind], kind  # type: ignore[arg-type]
    assert (len(course.blocks("chapter")), len(course.blocks("sequential"))) == (6, 17)
    assert (len(course.blocks("vertical")), len(course.blocks("problem")), len(course.blocks("video"))) == (
        58,
        29,
        11,
    )
    others = Counter(b.xblock_type for b in course.blocks("other"))
    # file-based XBlocks and the inline ones (defined inside their unit's XML)
    assert others["lti"] == 2 and others["library_content"] == 1 and others["annotatable"] == 1
    assert others["openassessment"] == 2 and others["drag-and-drop-v2"] == 1
    assert len(course.blocks("discussion")) == 1


def test_keys_dates_and_grading(demo_tarball: Path) -> None:
    course = load_demo_course(demo_tarball, "SynthU", "2026_DEMO", START)
    assert course.course_key == "course-v1:SynthU+DemoX+2026_DEMO"
    assert (course.org, course.number, course.run, course.size) == ("SynthU", "DemoX", "2026_DEMO", "demo")
    assert course.display_name == "Open edX Demo Course"
    assert course.start == START and course.self_paced
    prefix = "block-v1:SynthU+DemoX+2026_DEMO+type@"
    keys = [b.usage_key for b in course.root.walk()]
    assert all(k.startswith(prefix) for k in keys) and len(set(keys)) == len(keys)
    assert course.root.usage_key == prefix + "course+block@course"
    assert course.grading.assignment_types == {
        "Basic Assessment Tools": 0.3,
        "Intermediate Assessment Tools": 0.35,
        "Advanced Assessment Tools": 0.35,
    }
    assert course.grading.cutoffs == {"Pass": 0.5}
    graded = [s for s in course.blocks("sequential") if s.graded]
    assert [s.assignment_type for s in graded] == [
        "Basic Assessment Tools",
        "Intermediate Assessment Tools",
        "Advanced Assessment Tools",
    ]


def test_problems_videos_and_html(demo_tarball: Path) -> None:
    course = load_demo_course(demo_tarball, "SynthU", "2026_DEMO", START)
    problems = course.blocks("problem")
    assert all(p.response_types for p in problems)
    kinds = {t for p in problems for t in p.response_types}
    assert {"multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse"} <= kinds
    assert {"stringresponse", "formularesponse", "customresponse"} <= kinds
    assert any(len(p.response_types) > 1 for p in problems)
    videos = course.blocks("video")
    assert all(v.duration_s > 0 for v in videos)
    clip = next(v for v in videos if v.youtube_id == "AOUEsgFrYeg")
    assert clip.duration_s == 78.0  # end_time 00:12:57 - start_time 00:11:39
    again = load_demo_course(demo_tarball, "SynthU", "2026_DEMO", START)
    assert [v.duration_s for v in again.blocks("video")] == [v.duration_s for v in videos]
    assert all(h.olx_body is not None for h in course.blocks("html"))
    assert all(b.raw_xml for b in course.root.walk())


def test_reading_without_overrides_keeps_the_original_key(demo_tarball: Path) -> None:
    course = read_olx_tarball(demo_tarball)
    assert course.course_key == "course-v1:OpenedX+DemoX+DemoCourse"
    assert course.start == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_find_demo_course_tarball(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_tarball: Path
) -> None:
    monkeypatch.delenv("LEARNLAKE_DEMO_COURSE", raising=False)
    assert find_demo_course_tarball() == demo_tarball
    monkeypatch.setenv("LEARNLAKE_DEMO_COURSE", str(tmp_path / "missing.tar.gz"))
    assert find_demo_course_tarball() is None
    copy = tmp_path / "demo.tar.gz"
    copy.write_bytes(demo_tarball.read_bytes())
    monkeypatch.setenv("LEARNLAKE_DEMO_COURSE", str(copy))
    assert find_demo_course_tarball() == copy
