"""OLX export tarballs: round trips, fidelity to the real export, byte-determinism, Studio layout."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from learnlake.synth.courses import generate_course, load_demo_course
from learnlake.synth.model import Course
from learnlake.synth.olx import TAR_MTIME, read_olx_tarball, write_olx_tarball

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def structure(course: Course) -> list[Any]:
    return [
        (b.usage_key, b.block_type, b.xblock_type, b.display_name, b.graded, b.assignment_type,
         b.due.isoformat() if b.due else None, b.exam_kind, b.exam_time_limit_mins, b.response_types,
         b.weight, b.max_attempts, b.duration_s, b.youtube_id, [c.usage_key for c in b.children])
        for b in course.root.walk()
    ]  # fmt: skip


def settings(course: Course) -> tuple[Any, ...]:
    return (
        course.course_key, course.display_name, course.start, course.end, course.enrollment_start,
        course.self_paced, course.language, course.grading, course.cohorts,
    )  # fmt: skip


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


@pytest.mark.parametrize("size", ["small", "medium", "large", "huge"])
def test_generated_round_trip(size: str, tmp_path: Path) -> None:
    for seed in (1, 2):
        course = generate_course("SynthU", "CS50", "2026_T1", size, random.Random(seed), START)
        first = tmp_path / f"{size}-{seed}.tar.gz"
        write_olx_tarball(course, first)
        back = read_olx_tarball(first)
        assert structure(back) == structure(course)
        assert settings(back) == settings(course)
        assert back.size == size
        # a course read from an export writes the very same export again
        second = tmp_path / f"{size}-{seed}-again.tar.gz"
        write_olx_tarball(back, second)
        assert second.read_bytes() == first.read_bytes()


def test_byte_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    write_olx_tarball(generate_course("SynthU", "CS50", "R1", "medium", random.Random(5), START), a)
    write_olx_tarball(generate_course("SynthU", "CS50", "R1", "medium", random.Random(5), START), b)
    assert a.read_bytes() == b.read_bytes()
    raw = a.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip header without a timestamp
    assert gzip.decompress(raw)
    with tarfile.open(a) as tar:
        infos = tar.getmembers()
    names = [m.name for m in infos]
    assert names == sorted(names)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in infos} == {(TAR_MTIME, 0, 0, "", "")}


def test_studio_layout(tmp_path: Path) -> None:
    course = generate_course("SynthU", "CS50", "2026_T1", "large", random.Random(9), START)
    path = tmp_path / "course.tar.gz"
    write_olx_tarball(course, path)
    files = members(path)
    pointer = ET.fromstring(files["course/course.xml"])
    assert pointer.attrib == {"url_name": "2026_T1", "org": "SynthU", "course": "CS50"}
    root = ET.fromstring(files["course/course/2026_T1.xml"])
    assert root.get("display_name") == course.display_name and root.get("start") == "2026-01-05T00:00:00Z"
    assert [c.get("url_name") for c in root.findall("chapter")] == [c.url_name for c in course.root.children]
    for kind in ("chapter", "sequential", "vertical", "problem", "video", "html"):
        for block in course.blocks(kind):  # type: ignore[arg-type]
            assert f"course/{kind}/{block.url_name}.xml" in files
    for block in course.blocks("html"):
        assert f"course/html/{block.url_name}.html" in files
    for required in ("about/overview.html", "info/updates.html", "policies/assets.json"):
        assert f"course/{required}" in files
    policy = json.loads(files["course/policies/2026_T1/policy.json"])
    assert policy["course/2026_T1"]["display_name"] == course.display_name
    grading = json.loads(files["course/policies/2026_T1/grading_policy.json"])
    assert {g["type"]: g["weight"] for g in grading["GRADER"]} == course.grading.assignment_types
    assert grading["GRADE_CUTOFFS"] == course.grading.cutoffs
    # graded subsections and special exams in the sequential XML
    for seq in course.blocks("sequential"):
        el = ET.fromstring(files[f"course/sequential/{seq.url_name}.xml"])
        assert (el.get("graded") == "true") == seq.graded
        assert el.get("format") == seq.assignment_type
        if seq.exam_kind:
            assert el.get("is_time_limited") == "true"
            assert el.get("default_time_limit_minutes") == str(seq.exam_time_limit_mins)
            assert (el.get("is_proctored_enabled") == "true") == (seq.exam_kind == "proctored")
    # capa problems carry their correct answers
    seen: set[str] = set()
    for problem in course.blocks("problem"):
        el = ET.fromstring(files[f"course/problem/{problem.url_name}.xml"])
        for response in el:
            seen.add(response.tag)
            if response.tag in ("multiplechoiceresponse", "choiceresponse"):
                assert response.findall(".//choice[@correct='true']")
            if response.tag == "optionresponse":
                assert response.findall(".//option[@correct='True']")
            if response.tag in ("numericalresponse", "stringresponse", "formularesponse"):
                assert response.get("answer")
    assert {"multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse"} <= seen
    # inline XBlocks live in their unit's XML; discussions are inline too
    discussion = course.blocks("discussion")[0]
    units = [files[f"course/vertical/{v.url_name}.xml"].decode() for v in course.blocks("vertical")]
    assert any(f'<discussion url_name="{discussion.url_name}"' in u for u in units)


def test_demo_export_is_faithful(demo_tarball: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.tar.gz"
    write_olx_tarball(read_olx_tarball(demo_tarball), out)
    assert members(out) == members(demo_tarball)


def test_rekeyed_demo_round_trip(demo_tarball: Path, tmp_path: Path) -> None:
    course = load_demo_course(demo_tarball, "SynthU", "2026_DEMO", START)
    out = tmp_path / "demo.tar.gz"
    write_olx_tarball(course, out)
    files = members(out)
    assert ET.fromstring(files["course/course.xml"]).attrib == {
        "url_name": "2026_DEMO",
        "org": "SynthU",
        "course": "DemoX",
    }
    assert "course/policies/2026_DEMO/policy.json" in files
    assert not any(name.startswith("course/policies/DemoCourse/") for name in files)
    policy = json.loads(files["course/policies/2026_DEMO/policy.json"])
    assert policy["course/2026_DEMO"]["start"] == "2026-01-05T00:00:00Z"
    back = read_olx_tarball(out)
    assert structure(back) == structure(course)
    assert settings(back) == settings(course)
    # every block file other than the course's own is the original, untouched
    original = members(demo_tarball)
    for name, body in files.items():
        if name.startswith(("course/chapter/", "course/vertical/", "course/problem/", "course/video/")):
            assert body == original[name]
    again = tmp_path / "again.tar.gz"
    write_olx_tarball(back, again)
    assert again.read_bytes() == out.read_bytes()


def test_edited_course_exports_its_edits(tmp_path: Path) -> None:
    course = generate_course("SynthU", "CS50", "2026_T1", "small", random.Random(4), START)
    path = tmp_path / "a.tar.gz"
    write_olx_tarball(course, path)
    back = read_olx_tarball(path)
    seq = next(s for s in back.blocks("sequential") if not s.graded)
    seq.display_name = "Renamed subsection"
    seq.graded, seq.assignment_type = True, "Homework"
    moved = back.root.children[0].children.pop()
    back.root.children[-1].children.append(moved)
    edited = tmp_path / "b.tar.gz"
    write_olx_tarball(back, edited)
    assert structure(read_olx_tarball(edited)) == structure(back)
